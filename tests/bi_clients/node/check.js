// node-postgres, as Grafana-style Node services query: the dashboard's count(DISTINCT)
// with the setting off and on, sketches read back and written as text and binary
// parameters, bad sketches refused with their SQLSTATE, the connection still usable.
const fs = require("fs");
const path = require("path");
const { Client } = require("pg");

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "dashboard.json")));
let passed = 0, failed = 0;
const check = (what, ok) => { ok ? passed++ : failed++; console.log(`  ${ok ? "ok  " : "FAIL"}  ${what}`); };
const rows = async (c, sql) => {
  const m = new Map();
  for (const r of (await c.query({ text: sql, rowMode: "array" })).rows) m.set(r.slice(0, -1).join("|"), Number(r[r.length - 1]));
  return m;
};

(async () => {
  const c = new Client({ host: process.env.PGHOST, port: process.env.PGPORT, user: "postgres", database: process.env.PGDATABASE });
  await c.connect();
  for (const q of spec.queries) {
    await c.query("SET hyperloglog.count_distinct_error_rate = 0");
    const exact = await rows(c, q.sql);
    await c.query(`SET hyperloglog.count_distinct_error_rate = ${spec.error_rate}`);
    const approx = await rows(c, q.sql);
    const plan = (await c.query("EXPLAIN VERBOSE " + q.sql)).rows.map((r) => r["QUERY PLAN"]).join("\n");
    let worst = exact.size === approx.size ? 0 : 1;
    for (const [k, v] of exact) worst = Math.max(worst, approx.has(k) ? Math.abs(approx.get(k) - v) / v : 1);
    check(`${q.name}: ${exact.size} rows, hll_count_distinct in the plan, worst error ${(100 * worst).toFixed(2)}%`,
      worst <= spec.tolerance && plan.includes("hll_count_distinct("));
  }

  const sketches = (await c.query("SELECT users::bytea AS b, users::text AS t FROM daily_users ORDER BY day, device")).rows;
  check(`${sketches.length} sketches read back as Buffer and text, the same bytes`,
    sketches.every((s) => "\\x" + s.b.toString("hex") === s.t));
  for (const [i, s] of sketches.entries()) {
    await c.query("INSERT INTO inbox VALUES ('node-text', $1, $2)", [i, s.t]);
    await c.query("INSERT INTO inbox VALUES ('node-binary', $1, $2::bytea::hll)", [i, s.b]);
  }
  const same = Number((await c.query(
    "SELECT count(*) FROM inbox i JOIN (SELECT row_number() OVER (ORDER BY day, device) - 1 AS n, users " +
    "FROM daily_users) d USING (n) WHERE i.client LIKE 'node-%' AND i.users = d.users")).rows[0].count);
  check(`written back as text and Buffer parameters: ${same} of ${2 * sketches.length} equal`, same === 2 * sketches.length);

  for (const [label, sql, value, state] of [
    ["corrupt bytes", "SELECT $1::bytea::hll", Buffer.from([0x15, 0x8b, 0x7f]), "22P03"],
    ["bad text", "SELECT $1::text::hll", "\\x99", "22P02"]]) {
    try {
      await c.query(sql, [value]);
      check(`${label} as a parameter is refused`, false);
    } catch (e) {
      check(`${label} as a parameter: ${e.code}`, e.code === state);
    }
  }
  check("the connection is still usable", (await c.query("SELECT 1 AS one")).rows[0].one === 1);
  await c.end();
  console.log(`node-postgres: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
