/** Importing training steps recorded elsewhere (TensorBoard, MLflow, JSON lines): the public names. */
export { readSteps, detectFormat, type ReadStepsOptions } from './read-steps.js';
export { readTfEvents, readEventValues, findEventFiles } from './tfevents.js';
export { readMlflow } from './mlflow.js';
export { readStepsJsonl } from './steps-jsonl.js';
export { parseTagMap, DEFAULT_TAGS } from './tag-map.js';
export { parseStepTime, stepTimeProblem } from './times.js';
export { FIELDS, type Field, type ImportedStep, type ImportResult, type ImportFormat, type TagMap } from './types.js';
