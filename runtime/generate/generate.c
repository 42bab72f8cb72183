/* Text generation on the device with the steps of one program (network.h, built by `deeploy
 * generate`): `network_decode_run` reads one token, the optional `network_prefill_run` reads
 * NETWORK_PREFILL_NEW_ROWS tokens at once; both append to the same KV caches. The prompt goes through
 * prefill runs while they fit (the last one padded with the prompt's last token: the causal mask keeps
 * padding out of the prompt's rows, and later runs overwrite its cache rows), else decode runs; then
 * each chosen token is read by a decode run, until DP_GEN_NEW_TOKENS tokens, the end-of-text token or
 * the cache capacity. The choice is integer-only (the same on every target): the largest logit, or
 * with DP_GEN_INV_TEMPERATURE_Q16 > 0 a draw from exp(logit * scale / T) with a xorshift32 generator.
 * Prints, in order:
 *   DP_GEN prompt <prompt tokens read> <cost>     per run over the prompt
 *   DP_GEN token <id>                             per generated token
 *   DP_GEN decode <cached rows> <cost>            per run reading a generated token
 * where <cost> is, on rv32, the run's instructions on its busiest hart (waiting excluded), on the
 * host its nanoseconds, and on Cortex-M 0 (deeploy counts the instructions between the marks). generate_config.h (written by deeploy) gives the prompt, the sampling settings
 * and the positions of the steps' inputs. */
#define _POSIX_C_SOURCE 199309L /* clock_gettime on the host */
#include <stdint.h>
#include <stdio.h>

#include "generate_config.h"
#include "network.h"

#ifdef __riscv
#include "../rv32/cluster.h"
#ifdef DP_CLUSTER_DMA
#include "../siracusa/dma_device.h"
#include "../siracusa/npu_device.h"
#endif
#elif !defined(__arm__)
#include <time.h>
#endif

#ifdef NETWORK_PREFILL_NEW_ROWS
#define DP_GEN_ROWS NETWORK_PREFILL_NEW_ROWS
#else
#define DP_GEN_ROWS 1
#endif

/* The inputs of a run of either step (a decode run uses the first row) and its logits. */
static int32_t token_input[DP_GEN_ROWS], position_input[DP_GEN_ROWS], cache_length_input;
static int8_t mask_input[DP_GEN_ROWS * NETWORK_CACHE_CAPACITY];
static int32_t logits[DP_GEN_ROWS * DP_GEN_VOCAB];
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
static uint64_t instret_before;
static uint32_t jobs_before[DP_MAX_HARTS], wait_before; /* sums modulo 2^32 (rv32/cluster.h) */
#ifdef DP_CLUSTER_DMA
/* siracusa also estimates the step's cycles: per hart its instructions plus the timing model's stalls,
 * hart 0's with its modelled sleep for the DMA and the NPU; the slowest hart's. */
static uint32_t stalls_before, job_stalls_before[DP_MAX_HARTS], wait_stalls_before;
static uint64_t sleep_before, npu_macs_before;
static unsigned long long step_cycles, step_npu_macs;
static uint64_t device_sleep(void) { return dp_dma_stall_cycles() + dp_npu_stall_cycles(); }
#endif
static void cost_start(void) {
  int h;
  for (h = 1; h < DP_MAX_HARTS; ++h) jobs_before[h] = dp_job_instret[h];
  wait_before = dp_join_wait_instret;
#ifdef DP_CLUSTER_DMA
  for (h = 1; h < DP_MAX_HARTS; ++h) job_stalls_before[h] = dp_job_stalls[h];
  wait_stalls_before = dp_join_wait_stalls;
  sleep_before = device_sleep();
  npu_macs_before = dp_npu_macs();
  stalls_before = dp_read_stalls();
#endif
  instret_before = dp_read_instret();
}
static unsigned long long cost_end(void) {
  uint64_t busiest = (dp_read_instret() - instret_before) - (uint32_t)(dp_join_wait_instret - wait_before);
  int h;
#ifdef DP_CLUSTER_DMA
  step_npu_macs = dp_npu_macs() - npu_macs_before;
  step_cycles = busiest + (uint32_t)((dp_read_stalls() - stalls_before) - (dp_join_wait_stalls - wait_stalls_before)) +
                (device_sleep() - sleep_before); /* hart 0's, before `busiest` takes the other harts */
#endif
  for (h = 1; h < DP_MAX_HARTS; ++h) {
    uint64_t work = (uint32_t)(dp_job_instret[h] - jobs_before[h]);
#ifdef DP_CLUSTER_DMA
    const unsigned long long cycles = work + (uint32_t)(dp_job_stalls[h] - job_stalls_before[h]);
    if (cycles > step_cycles) step_cycles = cycles;
#endif
    if (work > busiest) busiest = work;
  }
  return (unsigned long long)busiest;
}
#elif defined(__arm__)
/* The QEMU plugin (tools/qemu_icount) records the instruction count at every dp_profile_mark; deeploy
 * takes each run's cost from the marks around it, so the loop prints 0. */
void dp_profile_mark(int node);
static void cost_start(void) { dp_profile_mark(0); }
static unsigned long long cost_end(void) {
  dp_profile_mark(1);
  return 0;
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

/* "DP_GEN <kind> <value> <cost>", on siracusa followed by the run's estimated cycles and NPU MACs. */
static void print_run(const char *kind, long value, unsigned long long cost) {
#ifdef DP_CLUSTER_DMA
  printf("DP_GEN %s %ld %llu %llu %llu\n", kind, value, cost, step_cycles, step_npu_macs);
#else
  printf("DP_GEN %s %ld %llu\n", kind, value, cost);
#endif
}

/* Sets the inputs of a run reading `rows` tokens after `cached` ones: row i sits at position cached + i
 * and attends to the rows before it and itself. */
static void set_inputs(const int32_t *tokens, int rows, int32_t cached) {
  int i, j;
  for (i = 0; i < rows; ++i) {
    token_input[i] = tokens[i];
    position_input[i] = cached + i;
    for (j = 0; j < NETWORK_CACHE_CAPACITY; ++j) mask_input[i * NETWORK_CACHE_CAPACITY + j] = (int8_t)(j <= cached + i ? 0 : -1);
  }
  cache_length_input = cached;
}

static void bind_inputs(const void **inputs, int token, int position, int mask, int cache_length) {
  inputs[token] = token_input;
  inputs[position] = position_input;
  inputs[mask] = mask_input;
  inputs[cache_length] = &cache_length_input;
}

static const void *decode_inputs[NETWORK_DECODE_NUM_INPUTS];
static void *step_outputs[1] = {logits};

/* Runs the decode step over `token` after `cached` rows; returns its cost. */
static unsigned long long decode(int32_t token, int32_t cached) {
  set_inputs(&token, 1, cached);
  cost_start();
  network_decode_run(decode_inputs, step_outputs);
  return cost_end();
}

#ifdef NETWORK_PREFILL_NEW_ROWS
static const void *prefill_inputs[NETWORK_PREFILL_NUM_INPUTS];

/* Runs the prefill step over prompt[first, first + count), padded; returns its cost. */
static unsigned long long prefill(int first, int count) {
  int32_t chunk[DP_GEN_ROWS];
  int i;
  for (i = 0; i < DP_GEN_ROWS; ++i) chunk[i] = prompt[i < count ? first + i : first + count - 1];
  set_inputs(chunk, DP_GEN_ROWS, first);
  cost_start();
  network_prefill_run(prefill_inputs, step_outputs);
  return cost_end();
}
#endif

/* Reads the prompt; returns the logits row of its last token. */
static const int32_t *read_prompt(void) {
  int32_t cached = 0;
  const int32_t *last = logits;
  while (cached < DP_GEN_PROMPT_LENGTH) {
    int count = 1;
    unsigned long long cost;
#ifdef NETWORK_PREFILL_NEW_ROWS
    if (cached + DP_GEN_ROWS <= NETWORK_CACHE_CAPACITY) {
      count = DP_GEN_PROMPT_LENGTH - cached < DP_GEN_ROWS ? DP_GEN_PROMPT_LENGTH - cached : DP_GEN_ROWS;
      cost = prefill(cached, count);
      last = logits + (count - 1) * DP_GEN_VOCAB;
    } else
#endif
    {
      cost = decode(prompt[cached], cached);
      last = logits;
    }
    print_run("prompt", count, cost);
    cached += count;
  }
  return last;
}

int main(void) {
  uint32_t random = DP_GEN_SEED ? DP_GEN_SEED : 1u;
  int32_t cached = DP_GEN_PROMPT_LENGTH, generated = 0;
  const int32_t *row;
#ifdef __riscv
  dp_cluster_start(DP_CORES);
#elif defined(__arm__)
  cost_start(); /* calibration: what a pair of marks costs */
  (void)cost_end();
#endif
  bind_inputs(decode_inputs, DP_GEN_DECODE_TOKEN_INPUT, DP_GEN_DECODE_POSITION_INPUT, DP_GEN_DECODE_MASK_INPUT,
              NETWORK_DECODE_CACHE_LENGTH_INPUT);
#ifdef NETWORK_PREFILL_NEW_ROWS
  bind_inputs(prefill_inputs, DP_GEN_PREFILL_TOKEN_INPUT, DP_GEN_PREFILL_POSITION_INPUT, DP_GEN_PREFILL_MASK_INPUT,
              NETWORK_PREFILL_CACHE_LENGTH_INPUT);
#endif
  network_init();
  row = read_prompt();
  for (;;) {
    int32_t current = choose(row, &random);
    unsigned long long cost;
    printf("DP_GEN token %ld\n", (long)current);
    fflush(stdout);
    if (++generated == DP_GEN_NEW_TOKENS || current == DP_GEN_END_OF_TEXT || cached == NETWORK_CACHE_CAPACITY) break;
    cost = decode(current, cached);
    print_run("decode", (long)cached, cost);
    row = logits;
    ++cached;
  }
  return 0;
}
