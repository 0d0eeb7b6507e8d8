/** Collapse events of a device series: the runs found by the one edge counter in core. */
export { collapseEvents, type CollapseEvent } from '../../core/collapse-edges.js';
