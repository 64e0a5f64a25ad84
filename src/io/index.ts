// nb.io: file formats for tensors and models.
export * as safetensors from './safetensors.js';
