/* Text generation on the device: feeds the prompt's tokens one step at a time into a KV-cache step
 * network (network.h, built by `deeploy generate`), then each chosen token, until DP_GEN_NEW_TOKENS
 * tokens, the end-of-text token or the cache capacity. The choice is integer-only (the same on every
 * target): the largest logit, or with DP_GEN_INV_TEMPERATURE_Q16 > 0 a draw from exp(logit * scale / T)
 * with a xorshift32 generator. Prints one line per generated token:
 *   DP_GEN token <id> <cost>
 * where <cost> is, on rv32, the step's instructions on its busiest hart (waiting excluded)
 * and, on the host, the step's nanoseconds. generate_config.h (written by deeploy) gives the prompt, the
 * sampling settings and the positions of the step's inputs and outputs. */
#define _POSIX_C_SOURCE 199309L /* clock_gettime on the host */
#include <stdint.h>
#include <stdio.h>

#include "generate_config.h"
#include "network.h"

#ifdef __riscv
#include "../rv32/cluster.h"
#else
#include <time.h>
#endif

static int32_t token_input[NETWORK_NEW_ROWS], position_input[NETWORK_NEW_ROWS], cache_length_input;
static int8_t mask_input[NETWORK_NEW_ROWS * NETWORK_CACHE_CAPACITY];
static int32_t logits[DP_GEN_LOGITS];
static const int32_t prompt[DP_GEN_PROMPT_LENGTH] = DP_GEN_PROMPT;

static uint32_t next_random(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

/* exp(-x) for x >= 0 in Q16 (x in Q16 too): 2^-n times a degree-4 series of the rest below ln 2. */
static uint32_t exp_negative_q16(uint64_t x) {
  const uint64_t ln2 = 45426; /* ln 2 in Q16 */
  uint64_t n = x / ln2, r = x - n * ln2, term = 65536, sum = 65536;
  int k;
  if (n >= 32) return 0;
  for (k = 1; k <= 4; ++k) {
    term = term * r / 65536 / (uint64_t)k;
    sum = (k & 1) ? sum - term : sum + term;
  }
  return (uint32_t)(sum >> n);
}

static uint32_t weights[DP_GEN_VOCAB];

static int choose(const int32_t *row, uint32_t *random) {
  int best = 0, i;
  uint64_t total = 0, draw;
  for (i = 1; i < DP_GEN_VOCAB; ++i) {
    if (row[i] > row[best]) best = i;
  }
  if (DP_GEN_INV_TEMPERATURE_Q16 == 0) return best;
  for (i = 0; i < DP_GEN_VOCAB; ++i) {
    weights[i] = exp_negative_q16((uint64_t)((int64_t)row[best] - row[i]) * DP_GEN_INV_TEMPERATURE_Q16);
    total += weights[i];
  }
  draw = next_random(random) % total;
  for (i = 0; i < DP_GEN_VOCAB; ++i) {
    if (draw < weights[i]) return i;
    draw -= weights[i];
  }
  return best;
}

/* One step's cost: busiest hart's instructions (rv32) or nanoseconds (host). */
#ifdef __riscv
static uint64_t harts_before[DP_MAX_HARTS], wait_before;
static void cost_start(void) {
  int h;
  for (h = 1; h < DP_MAX_HARTS; ++h) harts_before[h] = dp_job_instret[h];
  wait_before = dp_join_wait_instret;
  harts_before[0] = dp_read_instret();
}
static unsigned long long cost_end(void) {
  uint64_t busiest = (dp_read_instret() - harts_before[0]) - (dp_join_wait_instret - wait_before);
  int h;
  for (h = 1; h < DP_MAX_HARTS; ++h) {
    uint64_t work = dp_job_instret[h] - harts_before[h];
    if (work > busiest) busiest = work;
  }
  return (unsigned long long)busiest;
}
#else
static struct timespec started;
static void cost_start(void) { clock_gettime(CLOCK_MONOTONIC, &started); }
static unsigned long long cost_end(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (unsigned long long)((now.tv_sec - started.tv_sec) * 1000000000LL + (now.tv_nsec - started.tv_nsec));
}
#endif

int main(void) {
  const void *inputs[NETWORK_NUM_INPUTS];
  void *outputs[NETWORK_NUM_OUTPUTS];
  uint32_t random = DP_GEN_SEED ? DP_GEN_SEED : 1u;
  int32_t position, current = prompt[0], generated = 0;
  int j;
#ifdef __riscv
  dp_cluster_start(DP_CORES);
#endif
  inputs[DP_GEN_TOKEN_INPUT] = token_input;
  inputs[DP_GEN_POSITION_INPUT] = position_input;
  inputs[DP_GEN_MASK_INPUT] = mask_input;
  inputs[NETWORK_CACHE_LENGTH_INPUT] = &cache_length_input;
  outputs[DP_GEN_LOGITS_OUTPUT] = logits;
  network_init();
  for (position = 0; position < NETWORK_CACHE_CAPACITY; ++position) {
    unsigned long long cost;
    token_input[0] = current;
    position_input[0] = position;
    cache_length_input = position;
    for (j = 0; j < NETWORK_CACHE_CAPACITY; ++j) mask_input[j] = (int8_t)(j <= position ? 0 : -1);
    cost_start();
    network_run(inputs, outputs);
    cost = cost_end();
    if (position + 1 < DP_GEN_PROMPT_LENGTH) {
      current = prompt[position + 1];
      continue;
    }
    current = choose(logits, &random);
    printf("DP_GEN token %ld %llu\n", (long)current, cost);
    fflush(stdout);
    if (++generated == DP_GEN_NEW_TOKENS || current == DP_GEN_END_OF_TEXT) break;
  }
  return 0;
}
