// `downloads://name`: the page offers the model's files as downloads (model.json as `name.json`,
// the weights beside it), which load back with `nb.models.load('<folder>/name.json')`.
import { ValueError } from '../../errors.js';
import type { EncodedModel } from '../nabla-format.js';

/** Start one download per file; `files` are named as model.json names them. */
export function triggerDownloads(name: string, model: EncodedModel, who: string): void {
  const doc = (globalThis as { document?: Document }).document;
  if (!doc) throw new ValueError(`${who}: downloads:// needs a web page (document), which this environment lacks; save to a folder path instead`);
  const all: [string, Uint8Array | string][] = [[`${name}.json`, model.json], ...model.files];
  for (const [file, data] of all) {
    const blob = new Blob([data as BlobPart], { type: typeof data === 'string' ? 'application/json' : 'application/octet-stream' });
    const a = doc.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = file;
    a.style.display = 'none';
    doc.body.appendChild(a);
    a.click();
    a.remove();
    // The browser reads the blob when the download starts; give it time before letting go.
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  }
}
