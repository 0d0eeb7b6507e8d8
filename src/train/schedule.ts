/**
 * The learning-rate schedule of Hugging Face's Trainer default (get_linear_schedule_with_warmup):
 * linear warm-up from 0, then linear decay to 0. Step n (counting from 1) trains with lr(n − 1),
 * so with warm-up the first step trains with 0, and the logged rate is the one used.
 */
export function learningRate(k: number, base: number, warmup: number, steps: number): number {
  if (k < warmup) return (base * k) / Math.max(1, warmup);
  return Math.max(0, (base * (steps - k)) / Math.max(1, steps - warmup));
}

/** The rate step n (from 1) trains with. */
export function learningRateForStep(n: number, base: number, warmup: number, steps: number): number {
  return learningRate(n - 1, base, warmup, steps);
}
