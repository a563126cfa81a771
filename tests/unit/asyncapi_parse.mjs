// Parses an AsyncAPI document with the AsyncAPI initiative's parser and prints what it found, as JSON:
// the errors of its validation, the channels' addresses, and the messages of the send and receive operations.
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';

const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(process.argv[2], 'utf8'));
const found = {
  errors: diagnostics.filter((d) => d.severity === 0).map((d) => ({ message: d.message, path: d.path })),
  warnings: diagnostics.filter((d) => d.severity === 1).length,
  channels: [], sends: [], receives: [],
};
if (document) {
  for (const channel of document.channels()) found.channels.push(channel.address());
  for (const operation of document.operations()) {
    const names = operation.messages().all().map((m) => m.name());
    (operation.isSend() ? found.sends : found.receives).push(...names);
  }
}
console.log(JSON.stringify(found));
