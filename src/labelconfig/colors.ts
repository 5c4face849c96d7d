/**
 * CSS colours as label configs write them (`background="#ff0000"`, `red`, `rgb(…)`, `hsl(…)`), and
 * how far apart two of them look (CIEDE2000 on CIELAB, D65).
 */

export type Rgb = readonly [number, number, number];

/** The CSS named colours (CSS Color Module Level 4), as 6-digit hex. */
const NAMED: Readonly<Record<string, string>> = Object.fromEntries(
  (
    'aliceblue f0f8ff antiquewhite faebd7 aqua 00ffff aquamarine 7fffd4 azure f0ffff beige f5f5dc bisque ffe4c4 black 000000 ' +
    'blanchedalmond ffebcd blue 0000ff blueviolet 8a2be2 brown a52a2a burlywood deb887 cadetblue 5f9ea0 chartreuse 7fff00 ' +
    'chocolate d2691e coral ff7f50 cornflowerblue 6495ed cornsilk fff8dc crimson dc143c cyan 00ffff darkblue 00008b ' +
    'darkcyan 008b8b darkgoldenrod b8860b darkgray a9a9a9 darkgreen 006400 darkgrey a9a9a9 darkkhaki bdb76b ' +
    'darkmagenta 8b008b darkolivegreen 556b2f darkorange ff8c00 darkorchid 9932cc darkred 8b0000 darksalmon e9967a ' +
    'darkseagreen 8fbc8f darkslateblue 483d8b darkslategray 2f4f4f darkslategrey 2f4f4f darkturquoise 00ced1 ' +
    'darkviolet 9400d3 deeppink ff1493 deepskyblue 00bfff dimgray 696969 dimgrey 696969 dodgerblue 1e90ff ' +
    'firebrick b22222 floralwhite fffaf0 forestgreen 228b22 fuchsia ff00ff gainsboro dcdcdc ghostwhite f8f8ff gold ffd700 ' +
    'goldenrod daa520 gray 808080 green 008000 greenyellow adff2f grey 808080 honeydew f0fff0 hotpink ff69b4 ' +
    'indianred cd5c5c indigo 4b0082 ivory fffff0 khaki f0e68c lavender e6e6fa lavenderblush fff0f5 lawngreen 7cfc00 ' +
    'lemonchiffon fffacd lightblue add8e6 lightcoral f08080 lightcyan e0ffff lightgoldenrodyellow fafad2 lightgray d3d3d3 ' +
    'lightgreen 90ee90 lightgrey d3d3d3 lightpink ffb6c1 lightsalmon ffa07a lightseagreen 20b2aa lightskyblue 87cefa ' +
    'lightslategray 778899 lightslategrey 778899 lightsteelblue b0c4de lightyellow ffffe0 lime 00ff00 limegreen 32cd32 ' +
    'linen faf0e6 magenta ff00ff maroon 800000 mediumaquamarine 66cdaa mediumblue 0000cd mediumorchid ba55d3 ' +
    'mediumpurple 9370db mediumseagreen 3cb371 mediumslateblue 7b68ee mediumspringgreen 00fa9a mediumturquoise 48d1cc ' +
    'mediumvioletred c71585 midnightblue 191970 mintcream f5fffa mistyrose ffe4e1 moccasin ffe4b5 navajowhite ffdead ' +
    'navy 000080 oldlace fdf5e6 olive 808000 olivedrab 6b8e23 orange ffa500 orangered ff4500 orchid da70d6 ' +
    'palegoldenrod eee8aa palegreen 98fb98 paleturquoise afeeee palevioletred db7093 papayawhip ffefd5 peachpuff ffdab9 ' +
    'peru cd853f pink ffc0cb plum dda0dd powderblue b0e0e6 purple 800080 rebeccapurple 663399 red ff0000 ' +
    'rosybrown bc8f8f royalblue 4169e1 saddlebrown 8b4513 salmon fa8072 sandybrown f4a460 seagreen 2e8b57 ' +
    'seashell fff5ee sienna a0522d silver c0c0c0 skyblue 87ceeb slateblue 6a5acd slategray 708090 slategrey 708090 ' +
    'snow fffafa springgreen 00ff7f steelblue 4682b4 tan d2b48c teal 008080 thistle d8bfd8 tomato ff6347 ' +
    'turquoise 40e0d0 violet ee82ee wheat f5deb3 white ffffff whitesmoke f5f5f5 yellow ffff00 yellowgreen 9acd32'
  )
    .split(' ')
    .reduce<string[][]>((pairs, word, i, words) => (i % 2 === 0 ? [...pairs, [word, words[i + 1]!]] : pairs), []),
);

/** A colour as 0–255 sRGB channels, or undefined for what this does not read (`var(…)`, `transparent`). */
export function parseCssColor(text: string): Rgb | undefined {
  const s = text.trim().toLowerCase();
  const named = NAMED[s];
  if (named) return hex(named);
  let m = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(s);
  if (m) {
    const h = m[1]!;
    return h.length <= 4
      ? hex(
          h
            .slice(0, 3)
            .split('')
            .map((c) => c + c)
            .join(''),
        )
      : hex(h.slice(0, 6));
  }
  m = /^rgba?\(\s*([\d.]+%?)[\s,]+([\d.]+%?)[\s,]+([\d.]+%?)(?:\s*[,/]\s*[\d.]+%?)?\s*\)$/.exec(s);
  if (m) return [channel(m[1]!), channel(m[2]!), channel(m[3]!)];
  m = /^hsla?\(\s*([\d.]+)(?:deg)?[\s,]+([\d.]+)%[\s,]+([\d.]+)%(?:\s*[,/]\s*[\d.]+%?)?\s*\)$/.exec(s);
  if (m) return hslToRgb(Number(m[1]) % 360, Number(m[2]) / 100, Number(m[3]) / 100);
  return undefined;
}

function hex(h: string): Rgb {
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

function channel(v: string): number {
  const n = v.endsWith('%') ? (Number(v.slice(0, -1)) * 255) / 100 : Number(v);
  return Math.max(0, Math.min(255, n));
}

function hslToRgb(h: number, s: number, l: number): Rgb {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [f(0) * 255, f(8) * 255, f(4) * 255];
}

/** A colour in CIELAB (D65): what colorDistanceLab compares; worth computing once per colour when comparing many pairs. */
export type Lab = readonly [number, number, number];

export function toLab([r, g, b]: Rgb): Lab {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [R, G, B] = [lin(r), lin(g), lin(b)];
  const x = (0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047;
  const y = 0.2126729 * R + 0.7151522 * G + 0.072175 * B;
  const z = (0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

/** CIEDE2000 colour difference: about 1 is the smallest step people notice side by side. */
export function colorDistance(a: Rgb, b: Rgb): number {
  return colorDistanceLab(toLab(a), toLab(b));
}

/** colorDistance of two colours already in CIELAB. */
export function colorDistanceLab([L1, a1, b1]: Lab, [L2, a2, b2]: Lab): number {
  // Written with products and square roots rather than ** and Math.hypot: it runs for every pair
  // of a control's label colours (closePairs), and this is several times faster in V8.
  const rad = Math.PI / 180;
  const C1 = Math.sqrt(a1 * a1 + b1 * b1);
  const C2 = Math.sqrt(a2 * a2 + b2 * b2);
  const Cm7 = pow7((C1 + C2) / 2);
  const G = 0.5 * (1 - Math.sqrt(Cm7 / (Cm7 + POW25_7)));
  const a1p = (1 + G) * a1;
  const a2p = (1 + G) * a2;
  const C1p = Math.sqrt(a1p * a1p + b1 * b1);
  const C2p = Math.sqrt(a2p * a2p + b2 * b2);
  const hue = (x: number, y: number) => (x === 0 && y === 0 ? 0 : (Math.atan2(y, x) / rad + 360) % 360);
  const h1p = hue(a1p, b1);
  const h2p = hue(a2p, b2);
  const dL = L2 - L1;
  const dC = C2p - C1p;
  let dh = 0;
  if (C1p * C2p !== 0)
    dh = Math.abs(h2p - h1p) <= 180 ? h2p - h1p : h2p - h1p > 180 ? h2p - h1p - 360 : h2p - h1p + 360;
  const dH = 2 * Math.sqrt(C1p * C2p) * Math.sin((dh / 2) * rad);
  const Lm = (L1 + L2) / 2;
  const Cmp = (C1p + C2p) / 2;
  let hm = h1p + h2p;
  if (C1p * C2p !== 0)
    hm = Math.abs(h1p - h2p) <= 180 ? (h1p + h2p) / 2 : h1p + h2p < 360 ? (h1p + h2p + 360) / 2 : (h1p + h2p - 360) / 2;
  const T =
    1 -
    0.17 * Math.cos((hm - 30) * rad) +
    0.24 * Math.cos(2 * hm * rad) +
    0.32 * Math.cos((3 * hm + 6) * rad) -
    0.2 * Math.cos((4 * hm - 63) * rad);
  const th = (hm - 275) / 25;
  const dTheta = 30 * Math.exp(-(th * th));
  const Cmp7 = pow7(Cmp);
  const Rc = 2 * Math.sqrt(Cmp7 / (Cmp7 + POW25_7));
  const l50 = (Lm - 50) * (Lm - 50);
  const Sl = 1 + (0.015 * l50) / Math.sqrt(20 + l50);
  const Sc = 1 + 0.045 * Cmp;
  const Sh = 1 + 0.015 * Cmp * T;
  const Rt = -Math.sin(2 * dTheta * rad) * Rc;
  const x = dL / Sl;
  const y = dC / Sc;
  const z = dH / Sh;
  return Math.sqrt(x * x + y * y + z * z + Rt * y * z);
}

const POW25_7 = 25 ** 7;
function pow7(v: number): number {
  const v2 = v * v;
  return v2 * v2 * v2 * v;
}

/**
 * Calls `visit(i, j, d)` for every pair of `colors` (i > j as indices of `colors`) closer than
 * `limit` (CIEDE2000). Pairs whose lightness alone puts them apart are never computed: the
 * lightness term of CIEDE2000 is ΔL / S_L with S_L at most 1.75 (at L = 0 or 100), and the rest
 * of the sum under the root is never negative (|R_T| ≤ 2, so x² + y² + R_T·x·y ≥ (|x| − |y|)²);
 * so |ΔL| ≥ 1.75 · limit means a difference of at least `limit`. Sorted by lightness, each colour
 * is compared only with those within that window (2,000 label colours: about a third of the pairs).
 */
export function closePairs(
  colors: readonly Lab[],
  limit: number,
  visit: (i: number, j: number, d: number) => void,
): void {
  const order = colors.map((_, i) => i).sort((x, y) => colors[x]![0] - colors[y]![0]);
  const window = 1.75 * limit;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    for (let m = k - 1; m >= 0; m--) {
      const j = order[m]!;
      if (colors[i]![0] - colors[j]![0] >= window) break;
      const d = colorDistanceLab(colors[i]!, colors[j]!);
      if (d < limit) visit(Math.max(i, j), Math.min(i, j), d);
    }
  }
}
