// The naive way to import a task file, for comparison: read it all, parse it all, send it all in
// one request. Usage: node bench/naive-import.mjs URL TOKEN PROJECT_ID FILE.jsonl
import { readFileSync } from 'node:fs';

const [url, token, projectId, file] = process.argv.slice(2);
const started = Date.now();
const tasks = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const res = await fetch(`${url}/api/projects/${projectId}/import`, {
  method: 'POST',
  headers: { Authorization: `Token ${token}`, 'Content-Type': 'application/json' },
  body: JSON.stringify(tasks),
});
const text = await res.text();
let detail;
try {
  detail = JSON.parse(text).detail ?? '';
} catch {
  detail = text.slice(0, 120);
}
console.log(
  JSON.stringify({
    status: res.status,
    ms: Date.now() - started,
    tasks: tasks.length,
    detail,
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
