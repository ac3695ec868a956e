// The summary counting on the request path allocates nothing per request: checked with the bench's own measurement, which does see prom-client's garbage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summaryCost } from './summary-cost.ts';

test('counting a request into its traffic cell leaves no garbage; labelled prom-client metrics do', async () => {
  const rows = await summaryCost(1_000_000);
  assert.deepEqual(rows.map((r) => r.case), [
    'empty loop (the harness)', 'outbound request: cell + record', 'inbound request by caller, 1 in 8 with a WEFT_ERR code',
    'gRPC call (grpc-status counted too)', 'for comparison: prom-client counter + histogram with labels',
  ]);
  for (const r of rows.slice(1, 4)) {
    // One object per request would be 16 MB over the million, several young-generation collections; one stray collection
    // (the JIT's own, or memory pressure from other processes) is let pass. Without one, the heap grew by well under an
    // object per request (the JIT's allocations while it optimizes the loop show as a byte or two at times).
    assert.ok(r.gcs <= 1, `${r.case}: ${JSON.stringify(r)}`);
    if (r.gcs === 0) assert.ok(r.bytesPerRequest < 8, `${r.case}: ${JSON.stringify(r)}`);
    assert.ok(r.nsPerRequest > 0);
  }
  assert.ok(rows[4].gcs > 0, `the measurement sees allocation: ${JSON.stringify(rows[4])}`);
});
