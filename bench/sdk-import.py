# The Label Studio SDK's way to import a task file, for `npm run bench -- 3`: read the JSON Lines
# file into a list, then `projects.import_tasks` once with all of it, or once per batch.
# Usage: python bench/sdk-import.py URL TOKEN PROJECT_ID FILE.jsonl BATCH (0: one call)
# Prints one JSON line: tasks the server reported, the SDK's version, peak RSS in KiB.
import json
import resource
import sys
from importlib.metadata import version

from label_studio_sdk import LabelStudio

url, token, project, path, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
ls = LabelStudio(base_url=url, api_key=token, timeout=1800)
with open(path, encoding="utf-8") as f:
    tasks = [json.loads(line) for line in f if line.strip()]
stored = 0
for start in range(0, len(tasks), batch if batch > 0 else len(tasks)):
    chunk = tasks[start : start + batch] if batch > 0 else tasks
    stored += ls.projects.import_tasks(id=project, request=chunk).task_count or 0
print(
    json.dumps(
        {
            "tasks": stored,
            "sdk": version("label-studio-sdk"),
            "maxRssKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }
    )
)
