// Models kept in the browser's IndexedDB (`indexeddb://name`): one record per name holding
// model.json's text and every file it names, written with one put in one transaction, so a save
// that is interrupted (the tab closed, the quota hit) leaves the earlier model under the name whole.
import { ValueError } from '../../errors.js';
import type { EncodedModel } from '../nabla-format.js';

const DATABASE = 'nabla-models';
const STORE = 'models';

export interface StoredModel {
  json: string;
  files: Record<string, Uint8Array>;
  savedAt: string;
}

function factory(who: string): IDBFactory {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb) throw new ValueError(`${who}: indexeddb:// needs a browser's IndexedDB, which this environment lacks; save to a folder path instead`);
  return idb;
}

function settle<T>(request: IDBRequest<T> | IDBOpenDBRequest, who: string, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(new ValueError(`${who}: IndexedDB could not ${what} (${request.error?.message ?? 'unknown error'})`));
  });
}

async function open(who: string): Promise<IDBDatabase> {
  const request = factory(who).open(DATABASE, 1);
  request.onupgradeneeded = () => request.result.createObjectStore(STORE);
  return settle(request, who, `open the database '${DATABASE}'`);
}

/** A name as `indexeddb://name` gives it: non-empty. */
export function checkStoredName(name: string, who: string): string {
  if (!name) throw new ValueError(`${who}: 'indexeddb://' needs a model name after it, as in 'indexeddb://my-model'`);
  return name;
}

/** Store `model` under `name`, replacing what was there in the same transaction. */
export async function saveToIndexedDb(name: string, model: EncodedModel, who: string): Promise<void> {
  const db = await open(who);
  try {
    const record: StoredModel = { json: model.json, files: Object.fromEntries(model.files), savedAt: new Date().toISOString() };
    const tx = db.transaction(STORE, 'readwrite');
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      const fail = () => reject(new ValueError(`${who}: IndexedDB did not store 'indexeddb://${name}' (${tx.error?.message ?? 'the transaction was aborted'}); the model saved there before, if any, is unchanged`));
      tx.onabort = fail;
      tx.onerror = fail;
    });
    tx.objectStore(STORE).put(record, name);
    await done;
  } finally {
    db.close();
  }
}

/** The model stored under `name`, or a ValueError saying there is none. */
export async function readFromIndexedDb(name: string, who: string): Promise<StoredModel> {
  const db = await open(who);
  try {
    const record = await settle(db.transaction(STORE, 'readonly').objectStore(STORE).get(name), who, `read 'indexeddb://${name}'`);
    if (record === undefined) throw new ValueError(`${who}: no model saved under 'indexeddb://${name}'`);
    return record as StoredModel;
  } finally {
    db.close();
  }
}
