#!/usr/bin/env node
// Writes N JSON lines of realistic customer-support configs for the bulk comparison: the valid
// and the invalid config of bench/data with seeded random edits a buyer might make (names,
// colours, sizes, tones, domains, sources, handoff settings), about 70% of them valid.
//
//   node bench/compare/make_bulk.mjs OUT.jsonl [N=100000] [--seed 42]
import { openSync, readFileSync, writeSync, closeSync } from "node:fs";
import { dirname, join } from "node:path";
import { mulberry32 } from "../../tools/ajv/prng.mjs";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, "..", "data");

const args = process.argv.slice(2);
let seed = 42;
const pos = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--seed") seed = Number(args[++i]);
  else pos.push(args[i]);
}
if (pos.length < 1) {
  process.stderr.write("usage: make_bulk.mjs OUT.jsonl [N=100000] [--seed 42]\n");
  process.exit(2);
}
const outPath = pos[0];
const N = pos[1] ? Number(pos[1]) : 100000;

const rng = mulberry32(seed);
const int = (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = (a) => a[Math.floor(rng() * a.length)];
const chance = (p) => rng() < p;
const hex = (n) => Array.from({ length: n }, () => "0123456789ABCDEFabcdef"[int(0, 21)]).join("");
const words = ["Acme", "Helper", "Support", "Bot", "Zoë", "Max", "Nova", "Ava", "Desk", "Buddy", "日本", "Ólafur", "😀"];
const name = (k) => Array.from({ length: k }, () => pick(words)).join(" ");

const valid = JSON.parse(readFileSync(join(DATA, "customer-support.valid.json"), "utf8"));
const invalid = JSON.parse(readFileSync(join(DATA, "customer-support.invalid.json"), "utf8"));

// Each edit returns a new config; `bad` edits usually break a rule.
const edits = [
  (c) => { c.branding.agent_name = name(int(1, 4)); },
  (c) => { c.branding.agent_name = "x".repeat(int(40, 60)); }, // sometimes over 50
  (c) => { c.branding.colors.primary = "#" + hex(6); },
  (c) => { c.branding.colors.secondary = "#" + hex(int(5, 7)); },
  (c) => { c.branding.welcome_message = "Hello! ".repeat(int(1, 80)); }, // up to 560 chars
  (c) => { c.branding.avatar = chance(0.5) ? { type: "default" } : { type: "url", url: `https://cdn.example.com/${hex(8)}.png` }; },
  (c) => { c.behavior.tone = pick(["professional", "friendly", "casual", "formal", "sarcastic"]); },
  (c) => { c.behavior.language = pick(["en", "es", "fr", "de", "pt", "zh", "ja", "ko", "ar", "hi", "xx"]); },
  (c) => { c.behavior.creativity = Math.round(rng() * 120) / 100; }, // 0..1.2
  (c) => { c.behavior.response_length = pick(["concise", "balanced", "detailed"]); },
  (c) => { c.behavior.system_prompt_override = "Be brief. ".repeat(int(0, 30)); },
  (c) => { c.rag.chunk_size = int(128, 2500); },
  (c) => { c.rag.chunk_overlap = int(0, 220); },
  (c) => { c.rag.sync_frequency = pick(["manual", "daily", "weekly", "hourly"]); },
  (c) => { c.rag.sources.push({ type: "url", url: `https://docs.example.com/${hex(4)}`, crawl_depth: int(1, 4) }); },
  (c) => { c.rag.sources.push({ type: "file", file_id: `f_${int(1, 999)}`, filename: "doc.pdf" }); },
  (c) => { c.rag.sources.push({ type: "confluence", site_url: "https://x.atlassian.net/wiki" }); }, // missing space_key
  (c) => { c.rag.sources = c.rag.sources.slice(0, int(0, c.rag.sources.length)); },
  (c) => { c.widget.position = pick(["bottom-right", "bottom-left", "top-left"]); },
  (c) => { c.widget.theme = pick(["light", "dark", "auto"]); },
  (c) => { (c.widget.allowed_domains ??= []).push(pick(["shop.example.com", "example.org", "localhost", "bad domain", "a.example.co.uk"])); },
  (c) => { c.widget.allowed_domains = chance(0.2) ? [] : ["example.com"]; },
  (c) => { c.widget.trigger.delay_seconds = int(0, 70); },
  (c) => { c.api.rate_limit.requests_per_minute = int(1, 1000); },
  (c) => { c.api.ip_whitelist.push(`${int(0, 300)}.${int(0, 255)}.${int(0, 255)}.${int(0, 255)}`); },
  (c) => { c.escalation.triggers.unanswered_threshold = int(0, 12); },
  (c) => { c.escalation.triggers.keywords.push(pick(["agent", "human", "refund", "complaint"])); },
  (c) => { c.escalation.handoff_config = { method: "email", email: pick(["help@acme.example", "support@@acme", "ops@example.com", "nobody"]) }; },
  (c) => { c.escalation.handoff_config = { method: "webhook", webhook_url: pick(["https://hooks.example.com/h", "not a url", "http://10.0.0.1/x"]) }; },
  (c) => { c.escalation.fallback_message = "Please wait. ".repeat(int(1, 45)); },
  (c) => { delete c.widget.allowed_domains; }, // required
  (c) => { c.widget.trigger.show_on_mobile = pick([true, false, "yes"]); },
];

const fd = openSync(outPath, "w");
let buf = [];
let len = 0;
for (let i = 0; i < N; i++) {
  const base = chance(0.9) ? valid : invalid;
  const c = structuredClone(base);
  const n = base === valid ? int(0, 3) : int(0, 2);
  for (let k = 0; k < n; k++) pick(edits)(c);
  const s = JSON.stringify(c) + "\n";
  buf.push(s);
  len += s.length;
  if (len > 1 << 20) {
    writeSync(fd, buf.join(""));
    buf = [];
    len = 0;
  }
}
writeSync(fd, buf.join(""));
closeSync(fd);
process.stderr.write(`wrote ${N} lines to ${outPath}\n`);
