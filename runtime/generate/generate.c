/* Text generation on the device with the steps of one program (network.h, built by `deeploy
 * generate`; with DP_SCORE_SEQUENCES, `deeploy score`'s teacher-forced reading, see score_all):
 * `network_decode_run` reads one token, the optional `network_prefill_run` reads
 * NETWORK_PREFILL_NEW_ROWS tokens at once; both append to the same KV caches. The prompt goes through
 * prefill runs while they fit (the last one padded with the prompt's last token: the causal mask keeps
 * padding out of the prompt's rows, and later runs overwrite its cache rows), else decode runs; then
 * each chosen token is read by a decode run, until DP_GEN_NEW_TOKENS tokens, the end-of-text token or
 * the cache capacity. The choice is the same on every target: the largest logit, or with
 * DP_GEN_INV_TEMPERATURE_Q16 > 0 a draw from exp(logit * scale / T) with a xorshift32 generator, in
 * integers but for one float product per logit of a float network (DP_GEN_FLOAT_LOGITS).
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

#if DP_GEN_FLOAT_LOGITS
typedef float dp_gen_logit;
/* How far below the largest logit one lies, in Q16 units of T. */
#define DP_GEN_DISTANCE_Q16(best, logit) ((uint64_t)(((best) - (logit)) * (float)DP_GEN_INV_TEMPERATURE_Q16))
#else
typedef int32_t dp_gen_logit;
#define DP_GEN_DISTANCE_Q16(best, logit) ((uint64_t)((int64_t)(best) - (logit)) * DP_GEN_INV_TEMPERATURE_Q16)
#endif

/* The inputs of a run of either step (a decode run uses the first row) and its logits. */
static int32_t token_input[DP_GEN_ROWS], position_input[DP_GEN_ROWS], cache_length_input;
static int8_t mask_input[DP_GEN_ROWS * NETWORK_CACHE_CAPACITY];
static dp_gen_logit logits[DP_GEN_ROWS * DP_GEN_VOCAB];

#ifndef DP_SCORE_SEQUENCES
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

static int choose(const dp_gen_logit *row, uint32_t *random) {
  int best = 0, i;
  uint64_t total = 0, draw;
  for (i = 1; i < DP_GEN_VOCAB; ++i) {
    if (row[i] > row[best]) best = i;
  }
  if (DP_GEN_INV_TEMPERATURE_Q16 == 0) return best;
  for (i = 0; i < DP_GEN_VOCAB; ++i) {
    weights[i] = exp_negative_q16(DP_GEN_DISTANCE_Q16(row[best], row[i]));
    total += weights[i];
  }
  draw = next_random(random) % total;
  for (i = 0; i < DP_GEN_VOCAB; ++i) {
    if (draw < weights[i]) return i;
    draw -= weights[i];
  }
  return best;
}
#endif

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

/* Runs the prefill step over tokens[first, first + count), padded; returns its cost. */
static unsigned long long prefill(const int32_t *tokens, int first, int count) {
  int32_t chunk[DP_GEN_ROWS];
  int i;
  for (i = 0; i < DP_GEN_ROWS; ++i) chunk[i] = tokens[i < count ? first + i : first + count - 1];
  set_inputs(chunk, DP_GEN_ROWS, first);
  cost_start();
  network_prefill_run(prefill_inputs, step_outputs);
  return cost_end();
}
#endif

/* Called after each run of read_tokens with the position of its first token and the tokens it read. */
typedef void (*run_done_fn)(int32_t first, int count);

/* Reads tokens[0, length) from position 0 (prefill runs while they fit, else decode runs); returns the
 * logits row of the last one. */
static const dp_gen_logit *read_tokens(const int32_t *tokens, int32_t length, run_done_fn run_done) {
  int32_t cached = 0;
  const dp_gen_logit *last = logits;
  while (cached < length) {
    int count = 1;
    unsigned long long cost;
#ifdef NETWORK_PREFILL_NEW_ROWS
    if (cached + DP_GEN_ROWS <= NETWORK_CACHE_CAPACITY) {
      count = length - cached < DP_GEN_ROWS ? length - cached : DP_GEN_ROWS;
      cost = prefill(tokens, cached, count);
      last = logits + (count - 1) * DP_GEN_VOCAB;
    } else
#endif
    {
      cost = decode(tokens[cached], cached);
      last = logits;
    }
    print_run("prompt", count, cost);
    if (run_done) run_done(cached, count);
    cached += count;
  }
  return last;
}

#ifdef DP_SCORE_SEQUENCES
#include <math.h>
/* deeploy score: each sequence (BOS first, -1 after its end) read with its own tokens (teacher forcing);
 * prints "DP_SCORE <sequence> <tokens predicted> <sum of -log p>" with p the softmax of the logits
 * times DP_SCORE_LOGIT_SCALE (nats per logit unit) at the token that follows. */
static const int32_t score_tokens[DP_SCORE_SEQUENCES][DP_SCORE_LENGTH] = DP_SCORE_TOKENS;
static const int32_t *scored_sequence;
static int32_t scored_length, predicted;
static double negative_log_likelihood;

static double minus_log_softmax(const dp_gen_logit *row, int32_t token) {
  double largest = (double)row[0], sum = 0.0;
  int i;
  for (i = 1; i < DP_GEN_VOCAB; ++i) {
    if ((double)row[i] > largest) largest = (double)row[i];
  }
  for (i = 0; i < DP_GEN_VOCAB; ++i) sum += exp(((double)row[i] - largest) * DP_SCORE_LOGIT_SCALE);
  return log(sum) - ((double)row[token] - largest) * DP_SCORE_LOGIT_SCALE;
}

static void score_run(int32_t first, int count) {
  int i;
  for (i = 0; i < count && first + i + 1 < scored_length; ++i) {
    negative_log_likelihood += minus_log_softmax(logits + i * DP_GEN_VOCAB, scored_sequence[first + i + 1]);
    ++predicted;
  }
}

static void score_all(void) {
  int s;
  for (s = 0; s < DP_SCORE_SEQUENCES; ++s) {
    scored_sequence = score_tokens[s];
    scored_length = 0;
    while (scored_length < DP_SCORE_LENGTH && scored_sequence[scored_length] >= 0) ++scored_length;
    predicted = 0;
    negative_log_likelihood = 0.0;
    /* The last token predicts nothing: read up to the one before it. */
    if (scored_length > 1) (void)read_tokens(scored_sequence, scored_length - 1, score_run);
    printf("DP_SCORE %d %ld %.17g\n", s, (long)predicted, negative_log_likelihood);
    fflush(stdout);
  }
}
#endif

#ifndef DP_SCORE_SEQUENCES
/* The prompt, then each chosen token read by a decode run. */
static void generate_text(void) {
  uint32_t random = DP_GEN_SEED ? DP_GEN_SEED : 1u;
  int32_t cached = DP_GEN_PROMPT_LENGTH, generated = 0;
  const dp_gen_logit *row = read_tokens(prompt, DP_GEN_PROMPT_LENGTH, NULL);
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
}
#endif

int main(void) {
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
#ifdef DP_SCORE_SEQUENCES
  score_all();
#else
  generate_text();
#endif
  return 0;
}
