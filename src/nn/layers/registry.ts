// Layer classes by name, for fromConfig / model loading; custom layers join with nb.layers.register.
import { ValueError } from '../../errors.js';
import { isSerialized, type SerializedObject } from '../serialization.js';
import type { Layer, LayerClass } from './layer.js';

const classes = new Map<string, LayerClass>();

/** Make a layer class known by its name (or `name`), so configs naming it can be deserialized. */
export function registerLayer(cls: LayerClass, name: string = (cls as { className?: string }).className ?? cls.name): LayerClass {
  classes.set(name, cls);
  return cls;
}

/** The class registered under `name`, or undefined. */
export function knownLayerClass(name: string): LayerClass | undefined {
  return classes.get(name);
}

/** Every registered class by name (built-in and custom). */
export function registeredLayerClasses(): ReadonlyMap<string, LayerClass> {
  return classes;
}

export function layerClass(name: string): LayerClass {
  const cls = classes.get(name);
  if (!cls) throw new ValueError(`unknown layer class '${name}'; register custom layers with nb.layers.register(MyLayer). Known: ${[...classes.keys()].sort().join(', ')}`);
  return cls;
}

/** A layer as `{ className, config }` JSON. */
export function serializeLayer(layer: Layer): SerializedObject {
  return { className: layer.className, config: layer.getConfig() };
}

/** A new layer from `{className, config}`. */
export function deserializeLayer(s: SerializedObject | unknown): Layer {
  if (!isSerialized(s)) throw new ValueError('deserializeLayer: expected {className, config}');
  return layerClass(s.className).fromConfig(s.config);
}
