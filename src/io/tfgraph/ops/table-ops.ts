// Hash tables of converted models (a StringLookup's or a feature column's vocabulary): HashTable(V2)
// makes the table (one per node name, shared with the model's initializer graph, which imports the
// keys and values at load), LookupTableImport(V2)/InitializeTable(V2) fill it, LookupTableFind(V2)
// maps keys to values with a default, LookupTableSize(V2) counts them. Tables live on the host: a
// lookup reads its keys there, so nb.jit refuses one whose keys depend on the model's inputs.
import { tensor } from '../../../ops/creation.js';
import { StringTensor } from '../../../tensor/string-tensor.js';
import type { DType } from '../../../tensor/dtype.js';
import type { TfNodeAttrs } from '../graph-def.js';
import { TfHashTable } from '../hash-table.js';
import type { TfOp, TfOpTable } from '../op-table.js';

/** A dtype attribute that may be DT_STRING. */
export function typeAttr(attrs: TfNodeAttrs, name: string, dflt: DType): 'string' | DType {
  const raw = (attrs.node.attr?.[name] as { type?: unknown } | undefined)?.type;
  return raw === 'DT_STRING' ? 'string' : (attrs.dtype(name) ?? dflt);
}

const hashTable: TfOp = {
  run: (ctx) => {
    const name = ctx.attrs.node.name;
    let table = ctx.resources.get(name);
    if (!table) {
      table = new TfHashTable(ctx.where, typeAttr(ctx.attrs, 'key_dtype', 'int32'), typeAttr(ctx.attrs, 'value_dtype', 'int32'));
      ctx.resources.set(name, table);
    }
    return [table];
  },
  check: (attrs) => {
    typeAttr(attrs, 'key_dtype', 'int32');
    typeAttr(attrs, 'value_dtype', 'int32');
  },
};

const importTable: TfOp = {
  run: (ctx) => {
    const table = ctx.table(0);
    const keys = ctx.hostElements(1, 'keys');
    const values = ctx.hostElements(2, 'values');
    table.import(keys.values, values.values, values.shape, ctx.where);
    return [table];
  },
};

const findTable: TfOp = {
  run: (ctx) => {
    const table = ctx.table(0);
    const keys = ctx.hostElements(1, 'keys');
    const fallback = ctx.hostElements(2, 'default_value');
    const { values, shape } = table.find(keys.values, keys.shape, fallback.values, ctx.where);
    if (table.valueType === 'string') return [new StringTensor(values as string[], shape)];
    return [tensor(values as number[], shape, table.valueType)];
  },
};

const sizeTable: TfOp = { run: (ctx) => [tensor(ctx.table(0).size, [], 'int32')] };

export const tableOps: TfOpTable = {
  HashTable: hashTable,
  HashTableV2: hashTable,
  LookupTableImport: importTable,
  LookupTableImportV2: importTable,
  InitializeTable: importTable,
  InitializeTableV2: importTable,
  LookupTableFind: findTable,
  LookupTableFindV2: findTable,
  LookupTableSize: sizeTable,
  LookupTableSizeV2: sizeTable,
};
