#!/usr/bin/env node
'use strict';
// Assertions for scripts/test-container.sh (jq is not assumed). Usage:
//   check-output.js spec|check|check-failed|discover|read OUTPUT_FILE [extra...]
// Every stdout line must be one Airbyte protocol message. Prints a one-line summary; exits 1 on
// the first failed assertion.
const fs = require('fs');
const path = require('path');

const [, , kind, file, ...extra] = process.argv;
const root = path.resolve(__dirname, '..', '..');
const TYPES = new Set(['RECORD', 'STATE', 'LOG', 'SPEC', 'CONNECTION_STATUS', 'CATALOG', 'TRACE', 'CONTROL']);

function fail(msg) {
  process.stderr.write(`FAIL ${kind}: ${msg}\n`);
  process.exit(1);
}
function assert(cond, msg) {
  if (!cond) fail(msg);
}

const messages = [];
for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  let m;
  try {
    m = JSON.parse(line);
  } catch {
    fail(`stdout line is not JSON: ${line.slice(0, 200)}`);
  }
  assert(m && TYPES.has(m.type), `not a protocol message: ${line.slice(0, 200)}`);
  messages.push(m);
}
const of = (t) => messages.filter((m) => m.type === t);
const errors = of('TRACE').filter((m) => m.trace.type === 'ERROR');

async function main() {
  switch (kind) {
    case 'spec': {
      const specs = of('SPEC');
      assert(specs.length === 1, `${specs.length} SPEC messages`);
      const expected = JSON.parse(fs.readFileSync(path.join(root, 'resources', 'spec.json'), 'utf8'));
      assert(JSON.stringify(specs[0].spec) === JSON.stringify(expected), 'SPEC differs from resources/spec.json');
      console.log(`spec: SPEC equals resources/spec.json (${Object.keys(expected.connectionSpecification.properties).length} properties)`);
      break;
    }
    case 'check':
    case 'check-failed': {
      const st = of('CONNECTION_STATUS');
      assert(st.length === 1, `${st.length} CONNECTION_STATUS messages`);
      const want = kind === 'check' ? 'SUCCEEDED' : 'FAILED';
      assert(st[0].connectionStatus.status === want, `status ${JSON.stringify(st[0].connectionStatus)}, wanted ${want}`);
      if (want === 'FAILED') assert((st[0].connectionStatus.message || '').length > 10, 'FAILED without a message');
      console.log(`${kind}: ${want}${want === 'FAILED' ? ` (${st[0].connectionStatus.message.slice(0, 100)}...)` : ''}`);
      break;
    }
    case 'discover': {
      const cat = of('CATALOG');
      assert(cat.length === 1, `${cat.length} CATALOG messages`);
      const names = cat[0].catalog.streams.map((s) => s.name).sort();
      const want = ['focus_costs', 'tracking_conflicts', 'usage_details', 'usage_details_amortized'];
      assert(JSON.stringify(names) === JSON.stringify(want), `streams ${names}`);
      // the catalog the read below uses: every stream, incremental on its own cursor, dedup on its own key
      const configured = {
        streams: cat[0].catalog.streams.map((s) => {
          assert(s.default_cursor_field && s.source_defined_primary_key, `${s.name}: no default cursor or primary key`);
          return {stream: s, sync_mode: 'incremental', cursor_field: s.default_cursor_field, destination_sync_mode: 'append_dedup', primary_key: s.source_defined_primary_key};
        }),
      };
      if (extra[0]) fs.writeFileSync(extra[0], JSON.stringify(configured));
      console.log(`discover: streams ${names.join(', ')}`);
      break;
    }
    case 'read': {
      // extra: sandbox base URL, start, end
      const [baseUrl, start, end] = extra;
      assert(errors.length === 0, `ERROR trace: ${JSON.stringify(errors[0])}`);
      const byStream = {};
      for (const m of of('RECORD')) (byStream[m.record.stream] ??= []).push(m.record.data);
      const states = of('STATE');
      const summary = [];
      const truths = {};
      for (const [stream, metric] of [['usage_details', 'actual'], ['usage_details_amortized', 'amortized']]) {
        const recs = byStream[stream] || [];
        assert(recs.length > 0, `no ${stream} records`);
        const ids = new Set(recs.map((r) => r.id));
        assert(ids.size === recs.length, `${stream}: duplicate ids`);
        const res = await fetch(`${baseUrl}/_sandbox/truth?metric=${metric}&start=${start}&end=${end}`);
        assert(res.ok, `truth: HTTP ${res.status}`);
        const truth = await res.json();
        truths[metric] = truth;
        const days = {};
        for (const r of recs) {
          const d = (days[r.usage_date] ??= {rows: 0, cost: 0});
          d.rows++;
          d.cost += r.cost;
        }
        for (const [day, t] of Object.entries(truth.days)) {
          if (t.rows === 0) continue;
          const got = days[day] || {rows: 0, cost: 0};
          assert(got.rows === t.rows, `${stream} ${day}: ${got.rows} rows, truth ${t.rows}`);
          assert(Math.abs(got.cost - Number(t.cost)) < 0.005, `${stream} ${day}: cost ${got.cost}, truth ${t.cost}`);
        }
        const last = states.filter((s) => s.state.stream.stream_descriptor.name === stream).pop();
        assert(last && last.state.stream.stream_state.usage_date === end, `${stream}: last state ${JSON.stringify(last && last.state)}`);
        summary.push(`${stream} ${recs.length} records = truth`);
      }
      // focus_costs: per day, Σ EffectiveCost is the amortized truth and Σ BilledCost the actual truth
      const focus = byStream.focus_costs || [];
      assert(focus.length > 0, 'no focus_costs records');
      assert(new Set(focus.map((r) => r.x_RecordId)).size === focus.length, 'focus_costs: duplicate x_RecordId');
      for (const [column, metric] of [['EffectiveCost', 'amortized'], ['BilledCost', 'actual']]) {
        const sums = {};
        for (const r of focus) {
          const day = r.ChargePeriodStart.slice(0, 10);
          sums[day] = (sums[day] || 0) + r[column];
        }
        for (const [day, t] of Object.entries(truths[metric].days)) {
          assert(Math.abs((sums[day] || 0) - Number(t.cost)) < 0.005, `focus_costs ${day}: Σ ${column} ${sums[day]}, ${metric} truth ${t.cost}`);
        }
      }
      summary.push(`focus_costs ${focus.length} records, Σ EffectiveCost and Σ BilledCost per day = truth`);
      assert((byStream.tracking_conflicts || []).length > 0, 'no tracking_conflicts records');
      summary.push(`tracking_conflicts ${byStream.tracking_conflicts.length} records`, `${states.length} STATE messages`);
      console.log(`read: ${summary.join(', ')}`);
      break;
    }
    default:
      fail(`unknown check ${kind}`);
  }
}

main().catch((e) => fail(e.stack || String(e)));
