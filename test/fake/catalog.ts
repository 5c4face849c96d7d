/**
 * Fixed data copied from a real Label Studio 1.23.2 (Community): the export format catalogue
 * (label-studio-sdk 2.1.2 order), a handful of the 69 annotation templates verbatim, the template
 * groups, the version report and the admin's permissions.
 */

export interface ExportFormatInfo {
  readonly title: string;
  readonly description: string;
  readonly link: string;
  readonly tags?: readonly string[];
  readonly name: string;
}

export const EXPORT_FORMATS: readonly ExportFormatInfo[] = [
  {
    title: 'JSON',
    description:
      "List of items in raw JSON format stored in one JSON file. Use to export both the data and the annotations for a dataset. It's Label Studio Common Format",
    link: 'https://labelstud.io/guide/export.html#JSON',
    name: 'JSON',
  },
  {
    title: 'JSON-MIN',
    description:
      'List of items where only "from_name", "to_name" values from the raw JSON format are exported. Use to export only the annotations for a dataset.',
    link: 'https://labelstud.io/guide/export.html#JSON-MIN',
    name: 'JSON_MIN',
  },
  {
    title: 'CSV',
    description:
      'Results are stored as comma-separated values with the column names specified by the values of the "from_name" and "to_name" fields.',
    link: 'https://labelstud.io/guide/export.html#CSV',
    name: 'CSV',
  },
  {
    title: 'TSV',
    description:
      'Results are stored in tab-separated tabular file with column names specified by "from_name" "to_name" values',
    link: 'https://labelstud.io/guide/export.html#TSV',
    name: 'TSV',
  },
  {
    title: 'CONLL2003',
    description: 'Popular format used for the CoNLL-2003 named entity recognition challenge.',
    link: 'https://labelstud.io/guide/export.html#CONLL2003',
    tags: ['sequence labeling', 'text tagging', 'named entity recognition'],
    name: 'CONLL2003',
  },
  {
    title: 'COCO',
    description:
      'Popular machine learning format used by the COCO dataset for object detection and image segmentation tasks with polygons and rectangles.',
    link: 'https://labelstud.io/guide/export.html#COCO',
    tags: ['image segmentation', 'object detection', 'keypoints'],
    name: 'COCO',
  },
  {
    title: 'COCO with Images',
    description: 'COCO format with images downloaded.',
    link: 'https://labelstud.io/guide/export.html#COCO',
    tags: ['image segmentation', 'object detection', 'keypoints'],
    name: 'COCO_WITH_IMAGES',
  },
  {
    title: 'Pascal VOC XML',
    description: 'Popular XML format used for object detection and polygon image segmentation tasks.',
    link: 'https://labelstud.io/guide/export.html#Pascal-VOC-XML',
    tags: ['image segmentation', 'object detection'],
    name: 'VOC',
  },
  {
    title: 'YOLO',
    description:
      'Popular TXT format is created for each image file. Each txt file contains annotations for the corresponding image file, that is object class, object coordinates, height & width.',
    link: 'https://labelstud.io/guide/export.html#YOLO',
    tags: ['image segmentation', 'object detection', 'keypoints'],
    name: 'YOLO',
  },
  {
    title: 'YOLO with Images',
    description: 'YOLO format with images downloaded.',
    link: 'https://labelstud.io/guide/export.html#YOLO',
    tags: ['image segmentation', 'object detection', 'keypoints'],
    name: 'YOLO_WITH_IMAGES',
  },
  {
    title: 'YOLOv8 OBB',
    description:
      'Popular TXT format is created for each image file. Each txt file contains annotations for the corresponding image file. The YOLO OBB format designates bounding boxes by their four corner points with coordinates normalized between 0 and 1, so it is possible to export rotated objects.',
    link: 'https://labelstud.io/guide/export.html#YOLO',
    tags: ['image segmentation', 'object detection'],
    name: 'YOLO_OBB',
  },
  {
    title: 'YOLOv8 OBB with Images',
    description: 'YOLOv8 OBB format with images downloaded.',
    link: 'https://labelstud.io/guide/export.html#YOLO',
    tags: ['image segmentation', 'object detection'],
    name: 'YOLO_OBB_WITH_IMAGES',
  },
  {
    title: 'Brush labels to NumPy',
    description: 'Export your brush labels as NumPy 2d arrays. Each label outputs as one image.',
    link: 'https://labelstud.io/guide/export.html#Brush-labels-to-NumPy-amp-PNG',
    tags: ['image segmentation'],
    name: 'BRUSH_TO_NUMPY',
  },
  {
    title: 'Brush labels to PNG',
    description: 'Export your brush labels as PNG images. Each label outputs as one image.',
    link: 'https://labelstud.io/guide/export.html#Brush-labels-to-NumPy-amp-PNG',
    tags: ['image segmentation'],
    name: 'BRUSH_TO_PNG',
  },
  {
    title: 'ASR Manifest',
    description:
      'Export audio transcription labels for automatic speech recognition as the JSON manifest format expected by NVIDIA NeMo models.',
    link: 'https://labelstud.io/guide/export.html#ASR-MANIFEST',
    tags: ['speech recognition'],
    name: 'ASR_MANIFEST',
  },
  {
    title: 'Brush labels to COCO',
    description:
      'Export your brush labels as COCO format for segmentation tasks. Converts RLE encoded masks to COCO polygons.',
    link: 'https://labelstud.io/guide/export.html#COCO',
    tags: ['image segmentation', 'brush annotations'],
    name: 'BRUSH_TO_COCO',
  },
  {
    title: 'DocLang (.dclx)',
    description:
      'Package annotations from the Doclang Interface as DocLang OPC archives (document.xml + page image) for downstream Docling model training.',
    link: 'https://github.com/doclang-project/doclang/blob/main/spec.md#doclang-archive-format',
    tags: ['document', 'doclang'],
    name: 'DOCLANG',
  },
];

export const TEMPLATE_GROUPS: readonly string[] = [
  'Computer Vision',
  'Natural Language Processing',
  'Audio/Speech Processing',
  'Conversational AI',
  'Chat',
  'Ranking & Scoring',
  'Structured Data Parsing',
  'Time Series Analysis',
  'Videos',
  'Generative AI',
  'Community Contributions',
];

/** Real templates (same keys: title, type, group, [order], image, details, config; no slug). */
export const TEMPLATES: ReadonlyArray<Readonly<Record<string, unknown>>> = [
  {
    title: 'Object Detection with Bounding Boxes',
    type: 'community',
    group: 'Computer Vision',
    order: 3,
    image: '/static/templates/object-detection-with-bounding-boxes.png',
    details:
      '<h1>Draw a bounding box around the object</h1>\n<dl>\n  <dt>Industry Applications</dt>\n  <dd>autonomous driving, self driving cars, traffic monitoring, aviation, flight tracking, airport security, surveillance, security cameras, retail analytics, inventory management, warehouse automation, logistics, fleet management, pedestrian detection, obstacle detection, license plate detection, baggage screening, quality control, defect detection, medical imaging</dd>\n  <dt>Associated Models</dt>\n  <dd>YOLO, R-CNN, SSD, Faster R-CNN, RetinaNet, FCOS</dd>\n  <dt>Domain Terminology</dt>\n  <dd>bbox</dd>\n</dl>\n',
    config:
      '<View>\n  <Image name="image" value="$image"/>\n  <RectangleLabels name="label" toName="image">\n    <Label value="Airplane" background="green"/>\n    <Label value="Car" background="blue"/>\n  </RectangleLabels>\n</View>\n',
  },
  {
    title: 'Image Classification',
    type: 'community',
    group: 'Computer Vision',
    image: '/static/templates/image-classification.png',
    details:
      '<h1>Classify the image</h1>\n<dl>\n  <dt>Industry Applications</dt>\n  <dd>content moderation, safety detection, inappropriate content, nsfw detection, social media moderation, platform safety, community guidelines</dd>\n  <dt>Associated Models</dt>\n  <dd>ResNet, EfficientNet, Vision Transformer, CNN, ConvNet</dd>\n  <dt>Domain Terminology</dt>\n  <dd>image tagging, visual categorization, multi-class, single-label</dd>\n</dl>\n',
    config:
      '<View>\n  <Image name="image" value="$image"/>\n  <Choices name="choice" toName="image">\n    <Choice value="Adult content"/>\n    <Choice value="Weapons" />\n    <Choice value="Violence" />\n  </Choices>\n</View>\n',
  },
  {
    title: 'Text Classification',
    type: 'community',
    group: 'Natural Language Processing',
    order: 2,
    image: '/static/templates/text-classification.png',
    details:
      '<h1>Classify text document</h1>\n<dl>\n  <dt>Industry Applications</dt>\n  <dd>social media monitoring, customer feedback analysis, product reviews, brand sentiment tracking, market research, political sentiment, news sentiment, e-commerce reviews, customer satisfaction, social listening, reputation management, survey analysis</dd>\n  <dt>Associated Models</dt>\n  <dd>BERT, RoBERTa, DistilBERT, Support Vector Machine, Naive Bayes, XGBoost</dd>\n  <dt>Domain Terminology</dt>\n  <dd>NLP, sentiment analysis, opinion mining, brand monitoring, emotion detection, review analysis</dd>\n</dl>\n',
    config:
      '<View>\n  <Text name="text" value="$text"/>\n  <View style="box-shadow: 2px 2px 5px #999;\n               padding: 20px; margin-top: 2em;\n               border-radius: 5px;">\n    <Header value="Choose text sentiment"/>\n    <Choices name="sentiment" toName="text"\n             choice="single" showInLine="true">\n      <Choice value="Positive"/>\n      <Choice value="Negative"/>\n      <Choice value="Neutral"/>\n    </Choices>\n  </View>\n</View>\n\n<!-- {\n  "data": {"text": "This is a great 3D movie that delivers everything almost right in your face."}\n} -->\n',
  },
  {
    title: 'Named Entity Recognition',
    type: 'community',
    group: 'Natural Language Processing',
    order: 3,
    image: '/static/templates/named-entity-recognition.png',
    details:
      '<h1>Extract named entities from text</h1>\n<dl>\n  <dt>Industry Applications</dt>\n  <dd>legal documents, contracts, medical records, clinical notes, news articles, journalism, financial documents, compliance, regulatory, due diligence, document processing, text mining, knowledge extraction, structured data extraction</dd>\n  <dt>Associated Models</dt>\n  <dd>BERT, spaCy, Stanford NER, Flair, transformer models</dd>\n  <dt>Domain Terminology</dt>\n  <dd>NLP, NER, information extraction, entity extraction, entity linking</dd>\n</dl>\n',
    config:
      '<View>\n  <Labels name="label" toName="text">\n    <Label value="PER" background="red"/>\n    <Label value="ORG" background="darkorange"/>\n    <Label value="LOC" background="orange"/>\n    <Label value="MISC" background="green"/>\n  </Labels>\n\n  <Text name="text" value="$text"/>\n</View>\n',
  },
  {
    title: 'Relation Extraction',
    type: 'community',
    group: 'Natural Language Processing',
    order: 5,
    image: '/static/templates/relation-extraction.png',
    details:
      '<h1>Predict attributes and relations for entities in a sentence</h1>\n<dl>\n  <dt>Industry Applications</dt>\n  <dd>knowledge base construction, biomedical literature mining, financial entity relationships, legal document analysis, news event extraction, corporate intelligence, supply chain mapping, scientific paper analysis, patent mining, social network analysis, genealogy research, business intelligence</dd>\n  <dt>Associated Models</dt>\n  <dd>distant supervision, joint extraction, transformer models, graph neural networks</dd>\n  <dt>Domain Terminology</dt>\n  <dd>NLP, entity linking, knowledge graph construction, semantic relationships, structured information extraction</dd>\n</dl>\n',
    config:
      '<View>\n   <Relations>\n    <Relation value="org:founded_by"/>\n    <Relation value="org:founded"/>\n  </Relations>\n  <Labels name="label" toName="text">\n    <Label value="Organization" background="orange"/>\n    <Label value="Person" background="green"/>\n    <Label value="Datetime" background="blue"/>\n  </Labels>\n\n  <Text name="text" value="$text"/>\n</View>\n\n<!-- {"data": {\n  "text": "Microsoft was founded by Bill Gates and Paul Allen on April 4, 1975, to develop and sell BASIC interpreters for the Altair 8800."\n}} -->\n',
  },
  {
    title: 'Taxonomy',
    type: 'community',
    group: 'Natural Language Processing',
    order: 4,
    image: '/static/templates/taxonomy.png',
    details:
      '<h1>Multilabel hierarchical classification</h1>\n<dl>\n  <dt>Industry Applications</dt>\n  <dd>product categorization, content organization, scientific classification, library science, e-commerce tagging, knowledge management, information architecture, data governance, research classification, regulatory taxonomy, medical coding</dd>\n  <dt>Associated Models</dt>\n  <dd>hierarchical classification, multi-label classification, ontology mapping, knowledge graphs</dd>\n  <dt>Domain Terminology</dt>\n  <dd>NLP, category management, structured vocabularies, controlled vocabularies, classification schemes</dd>\n</dl>\n',
    config:
      '<View>\n  <Text name="text" value="$text"/>\n  <Taxonomy name="taxonomy" toName="text">\n    <Choice value="Archaea" />\n    <Choice value="Bacteria" />\n    <Choice value="Eukarya">\n      <Choice value="Human" />\n      <Choice value="Oppossum" />\n      <Choice value="Extraterrestial" />\n    </Choice>\n  </Taxonomy>\n</View>\n',
  },
  {
    title: 'Automatic Speech Recognition',
    type: 'community',
    group: 'Audio/Speech Processing',
    image: '/static/templates/automatic-speech-recognition.png',
    details:
      '<h1>Transcribe the audio</h1>\n<dl>\n  <dt>Industry Applications</dt>\n  <dd>podcast transcription, meeting notes, call center, customer service, accessibility, closed captions, subtitles, voice assistants, dictation, medical dictation, legal transcription</dd>\n  <dt>Associated Models</dt>\n  <dd>Whisper, Wav2Vec, DeepSpeech, transformer, CTC</dd>\n  <dt>Domain Terminology</dt>\n  <dd>ASR, STT, speech-to-text, voice-to-text, transcription, voice recognition, speech processing, audio transcription</dd>\n</dl>\n',
    config:
      '<View>\n  <Audio name="audio" value="$audio" zoom="true" hotkey="ctrl+enter" />\n  <Header value="Transcribe the audio" />\n  <TextArea name="transcription" toName="audio"\n            rows="4" editable="true" maxSubmissions="1" />\n</View>\n',
  },
];

/** `GET /api/version/` as the first call answers it (later calls gain `lsf` and `backend`). */
export const VERSION_REPORT = {
  release: '1.23.2',
  'label-studio-os-package': {
    version: '1.23.2',
    short_version: '1.23',
    latest_version_from_pypi: null,
    latest_version_upload_time: null,
    current_version_is_outdated: false,
  },
  'label-studio-os-backend': {
    message: 'fix: PLT-1331: Block SSRF in export media downloads',
    commit: 'df96d79183156e556d91825d15fa7721f1145e1a',
    date: '2026/09/25 23:22:13',
    branch: '',
    version: '1.23.2+0.gdf96d79.dirty',
  },
  'label-studio-frontend': {
    message: 'fix: PLT-1331: Block SSRF in export media downloads',
    commit: 'df96d79183156e556d91825d15fa7721f1145e1a',
    date: '2026-09-25T09:13:03.000Z',
    branch: 'develop',
  },
  dm2: {
    message: 'fix: PLT-1331: Block SSRF in export media downloads',
    commit: 'df96d79183156e556d91825d15fa7721f1145e1a',
    date: '2026-09-25T09:13:03.000Z',
    branch: 'develop',
  },
  'label-studio-converter': {
    version: '2.1.2',
  },
  edition: 'Community',
};

export const ADMIN_PERMISSIONS: readonly string[] = [
  'organizations.create',
  'organizations.view',
  'organizations.change',
  'organizations.delete',
  'organizations.invite',
  'projects.create',
  'projects.view',
  'projects.change',
  'projects.delete',
  'projects.reset_cache',
  'tasks.create',
  'tasks.view',
  'tasks.change',
  'tasks.delete',
  'views.reset',
  'annotations.create',
  'annotations.view',
  'annotations.change',
  'annotations.delete',
  'actions.perform',
  'predictions.any',
  'avatar.any',
  'labels.create',
  'labels.view',
  'labels.change',
  'labels.delete',
  'models.create',
  'models.view',
  'models.change',
  'models.delete',
  'model_provider_connection.create',
  'model_provider_connection.view',
  'model_provider_connection.change',
  'model_provider_connection.delete',
  'webhooks.view',
  'webhooks.change',
  'users.token.any',
  'storages.view',
  'storages.change',
  'storages.sync',
  'views.view',
  'views.create',
  'views.change',
  'views.delete',
];
