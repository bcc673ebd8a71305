import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { AesGcmCodec, parseKeyring } from '../platform/aes-gcm-codec';

// Replays one exported history (`orders history export`, or `temporal workflow show --output json`)
// against the current workflow code, decrypting with the given keyring file:
//   node --import tsx dev/replay-one.ts <history.json> <payload-keys file>

async function main() {
  const [file, keys] = process.argv.slice(2);
  if (!file || !keys) throw new Error('usage: dev/replay-one.ts <history.json> <payload-keys file>');
  const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
  const dataConverter = { payloadCodecs: [new AesGcmCodec(parseKeyring(readFileSync(keys, 'utf8')))] };
  await Worker.runReplayHistory({ workflowsPath: require.resolve('../workflows'), dataConverter }, history, basename(file, '.json'));
  console.log(`${file}: replayed`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
