// The `service` job's task: render a report of `rows` rows (≈ 1 ms of CPU at
// the bench's size): build records, sort them, render HTML, hash it.
import { createHash } from "node:crypto";

export function renderReport(rows) {
  const records = [];
  let seed = rows;
  for (let i = 0; i < rows; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    records.push({ id: i, name: `item-${seed.toString(36)}`, price: (seed % 10000) / 100, qty: seed % 17 });
  }
  records.sort((a, b) => b.price * b.qty - a.price * a.qty || a.id - b.id);
  let html = "<table>";
  for (const r of records)
    html += `<tr><td>${r.id}</td><td>${r.name}</td><td>${(r.price * r.qty).toFixed(2)}</td></tr>`;
  html += "</table>";
  return `${createHash("sha1").update(html).digest("hex")} ${html.length}`;
}
