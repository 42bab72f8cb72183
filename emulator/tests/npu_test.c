/* Bare-metal test of the NPU device (emulator/patches/0004-npu.patch, emulator/NPU.md) through its driver
 * (runtime/siracusa/npu.c), on hart 0 of QEMU virt. Every task's output is compared with a plain C
 * convolution written from NPU.md's definition, its modelled cycles and MACs with the timing model
 * computed here, and the device's refusals and errors with what NPU.md says.
 *
 * The semihosting command line: npu_test MODE, MODE real (no -icount), icount (-icount shift=0) or exact
 * (-icount shift=0,sleep=off); wake-up times are checked in exact mode only. Prints
 * "NPU_TEST minstret PHASE N" after every phase; the exit status is 0 when every check passed. */
#include <semihost.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv32/cluster.h"
#include "rv32/hart.h"
#include "siracusa/npu_device.h"

enum { MODE_REAL, MODE_ICOUNT, MODE_EXACT };
static int mode = MODE_REAL;
static int failures;

static DP_DEFINE_COUNTER64(read_cycle, "mcycle")

#define CHECK(cond, ...)                  \
  do {                                    \
    if (!(cond)) {                        \
      ++failures;                         \
      printf("FAIL line %d: ", __LINE__); \
      printf(__VA_ARGS__);                \
      printf("\n");                       \
    }                                     \
  } while (0)

/* Distinct model parameters, so that a mode or a bandwidth mixed up shows in the cycles. */
static const dp_npu_timing kTiming = {37u, {1u, 3u, 2u}, 640u, 1536u, 3072u, 0u, 0u};

#define BUFFER_BYTES (72u * 1024u)
static uint8_t input[BUFFER_BYTES] __attribute__((aligned(8)));
static uint8_t output[BUFFER_BYTES] __attribute__((aligned(8)));
static uint8_t expected[BUFFER_BYTES] __attribute__((aligned(8)));
static uint8_t raw_weights[BUFFER_BYTES];  /* the stored values u, [Co][K][K][Ci] (depthwise [Co][3][3]) */
static uint8_t weights[BUFFER_BYTES] __attribute__((aligned(8))); /* encoded */
static uint8_t weight_memory[BUFFER_BYTES] __attribute__((aligned(8)));
static int32_t scale[256], bias[256];
static uint8_t shift[256];

/* A task as the test sees it; task_of() turns it into the device's words. */
typedef struct {
  uint32_t mode, stride, bits;
  int requant, round, signed_input, signed_output, relu, channel_shift, use_bias, from_wmem;
  uint32_t layer_shift;
  uint32_t height, width, out_height, out_width, in_channels, out_channels;
  uint32_t top, left;
  uint8_t pad_value;
  int32_t weight_offset;
  uint32_t in_row_stride, in_pixel_stride, out_row_stride, out_pixel_stride;
} conv_case;

static uint32_t rng = 2024u;
static uint32_t next_random(void) {
  rng = rng * 1664525u + 1013904223u;
  return rng >> 8;
}
static uint32_t random_below(uint32_t n) { return next_random() % n; }

static uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1u) / b; }
static uint32_t kernel_size(const conv_case *c) { return c->mode == DP_NPU_MODE_1X1 ? 1u : 3u; }
static uint32_t value_bytes(const conv_case *c) { return c->requant ? 1u : 4u; }

/* Bytes of the encoded weights (NPU.md, weight layout). */
static uint32_t encoded_bytes(const conv_case *c) {
  if (c->mode == DP_NPU_MODE_1X1) return c->out_channels * ceil_div(c->in_channels, 32u) * c->bits * 4u;
  if (c->mode == DP_NPU_MODE_3X3) return c->out_channels * ceil_div(c->in_channels, 28u) * c->bits * 32u;
  return ceil_div(c->out_channels, 28u) * c->bits * 32u;
}

static uint8_t raw_weight(const conv_case *c, uint32_t k, uint32_t ky, uint32_t kx, uint32_t ci) {
  const uint32_t kk = kernel_size(c);
  if (c->mode == DP_NPU_MODE_DEPTHWISE) return raw_weights[(k * 3u + ky) * 3u + kx];
  return raw_weights[((k * kk + ky) * kk + kx) * c->in_channels + ci];
}

static void set_bit(uint8_t *block, uint32_t n) { block[n / 8u] |= (uint8_t)(1u << (n % 8u)); }

/* The device's bit-plane layout, from NPU.md. */
static void encode_weights(const conv_case *c, uint8_t *out) {
  uint32_t k, j, b, i, s;
  memset(out, 0, encoded_bytes(c));
  if (c->mode == DP_NPU_MODE_1X1) {
    for (k = 0; k < c->out_channels; ++k)
      for (j = 0; j < ceil_div(c->in_channels, 32u); ++j)
        for (b = 0; b < c->bits; ++b, out += 4)
          for (i = 0; i < 32u && 32u * j + i < c->in_channels; ++i)
            if ((raw_weight(c, k, 0, 0, 32u * j + i) >> b) & 1u) set_bit(out, i);
  } else if (c->mode == DP_NPU_MODE_3X3) {
    for (k = 0; k < c->out_channels; ++k)
      for (j = 0; j < ceil_div(c->in_channels, 28u); ++j)
        for (b = 0; b < c->bits; ++b, out += 32)
          for (s = 0; s < 9u; ++s)
            for (i = 0; i < 28u && 28u * j + i < c->in_channels; ++i)
              if ((raw_weight(c, k, s / 3u, s % 3u, 28u * j + i) >> b) & 1u) set_bit(out, 28u * s + i);
  } else {
    for (j = 0; j < ceil_div(c->out_channels, 28u); ++j)
      for (b = 0; b < c->bits; ++b, out += 32)
        for (s = 0; s < 9u; ++s)
          for (i = 0; i < 28u && 28u * j + i < c->out_channels; ++i)
            if ((raw_weight(c, 28u * j + i, s / 3u, s % 3u, 0) >> b) & 1u) set_bit(out, 28u * s + i);
  }
}

static int32_t input_value(const conv_case *c, int32_t y, int32_t x, uint32_t ch) {
  const uint8_t byte = (y < 0 || x < 0 || y >= (int32_t)c->height || x >= (int32_t)c->width)
                           ? c->pad_value
                           : input[(uint32_t)y * c->in_row_stride + (uint32_t)x * c->in_pixel_stride + ch];
  return c->signed_input ? (int32_t)(int8_t)byte : (int32_t)byte;
}

static int32_t accumulate(const conv_case *c, uint32_t oy, uint32_t ox, uint32_t k) {
  const uint32_t kk = kernel_size(c);
  uint32_t acc = 0u, ky, kx, ci;
  for (ky = 0; ky < kk; ++ky)
    for (kx = 0; kx < kk; ++kx) {
      const int32_t y = (int32_t)(oy * c->stride + ky) - (int32_t)c->top;
      const int32_t x = (int32_t)(ox * c->stride + kx) - (int32_t)c->left;
      if (c->mode == DP_NPU_MODE_DEPTHWISE) {
        acc += (uint32_t)(input_value(c, y, x, k) * ((int32_t)raw_weight(c, k, ky, kx, 0) + c->weight_offset));
        continue;
      }
      for (ci = 0; ci < c->in_channels; ++ci)
        acc += (uint32_t)(input_value(c, y, x, ci) * ((int32_t)raw_weight(c, k, ky, kx, ci) + c->weight_offset));
    }
  return (int32_t)acc;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* NPU.md, "What a task computes", into `expected` (bytes the task does not write keep their values). */
static void reference(const conv_case *c) {
  uint32_t oy, ox, k;
  for (oy = 0; oy < c->out_height; ++oy)
    for (ox = 0; ox < c->out_width; ++ox)
      for (k = 0; k < c->out_channels; ++k) {
        uint8_t *at = expected + oy * c->out_row_stride + ox * c->out_pixel_stride + k * value_bytes(c);
        const int32_t acc = accumulate(c, oy, ox, k);
        if (!c->requant) {
          const int32_t v = c->relu && acc < 0 ? 0 : acc;
          memcpy(at, &v, 4);
          continue;
        }
        const uint32_t sh = c->channel_shift ? shift[k] : c->layer_shift;
        int64_t v = (int64_t)acc * scale[k] + (c->use_bias ? bias[k] : 0) + (c->round && sh > 0 ? (int64_t)1 << (sh - 1u) : 0);
        v >>= sh;
        v = c->signed_output ? clamp64(v, c->relu ? 0 : -128, 127) : clamp64(v, 0, 255);
        *at = (uint8_t)v;
      }
}

/* NPU.md, "Timing model". */
static uint64_t q8_cycles(uint64_t bytes, uint32_t bw) { return (bytes * 256u + (bw ? bw : 1u) - 1u) / (bw ? bw : 1u); }
static uint64_t model_cycles(const conv_case *c) {
  const uint32_t kk = kernel_size(c);
  const uint32_t subtiles = ceil_div(c->out_height, 6u) * ceil_div(c->out_width, 6u);
  const uint32_t streamed_channels = c->mode == DP_NPU_MODE_DEPTHWISE ? c->out_channels : c->in_channels;
  uint64_t steps, activation_bytes = 0u;
  uint32_t r, q;
  if (c->mode == DP_NPU_MODE_DEPTHWISE) steps = (uint64_t)subtiles * ceil_div(c->out_channels, 28u);
  else steps = (uint64_t)subtiles * ceil_div(c->out_channels, 32u) * ceil_div(c->in_channels, c->mode == DP_NPU_MODE_1X1 ? 32u : 28u);
  const uint64_t compute = steps * c->bits * kTiming.step_cycles[c->mode];
  for (r = 0; r < c->out_height; r += 6u)
    for (q = 0; q < c->out_width; q += 6u) {
      const uint32_t rows = c->out_height - r < 6u ? c->out_height - r : 6u;
      const uint32_t cols = c->out_width - q < 6u ? c->out_width - q : 6u;
      activation_bytes += (uint64_t)((rows - 1u) * c->stride + kk) * ((cols - 1u) * c->stride + kk) * streamed_channels;
      activation_bytes += (uint64_t)rows * cols * c->out_channels * value_bytes(c);
    }
  const uint32_t weight_bw = c->from_wmem ? kTiming.wmem_bytes_per_cycle_q8 : kTiming.weight_bytes_per_cycle_q8;
  const uint64_t memory = q8_cycles((uint64_t)subtiles * encoded_bytes(c), weight_bw) +
                          q8_cycles(activation_bytes, kTiming.stream_bytes_per_cycle_q8);
  return kTiming.setup_cycles + (compute > memory ? compute : memory);
}

static uint64_t model_macs(const conv_case *c) {
  const uint32_t kk = kernel_size(c);
  return (uint64_t)c->out_height * c->out_width * c->out_channels * kk * kk *
         (c->mode == DP_NPU_MODE_DEPTHWISE ? 1u : c->in_channels);
}

static dp_npu_task task_of(const conv_case *c, const uint8_t *weight_address) {
  dp_npu_task t;
  t.weights = weight_address;
  t.input = input;
  t.output = output;
  t.scale = scale;
  t.shift = shift;
  t.bias = bias;
  t.in_row_stride = c->in_row_stride;
  t.in_pixel_stride = c->in_pixel_stride;
  t.out_row_stride = c->out_row_stride;
  t.out_pixel_stride = c->out_pixel_stride;
  t.in_size = DP_NPU_SIZE(c->height, c->width);
  t.out_size = DP_NPU_SIZE(c->out_height, c->out_width);
  t.channels = DP_NPU_CHANNELS(c->out_channels, c->in_channels);
  t.padding = DP_NPU_PADDING(c->top, c->left, c->pad_value);
  t.weight_offset = c->weight_offset;
  t.conf0 = c->mode | (c->stride == 2u ? DP_NPU_CONF0_STRIDE2 : 0u) | DP_NPU_CONF0_WEIGHT_BITS(c->bits) |
            (c->requant ? DP_NPU_CONF0_REQUANT : 0u) | (c->round ? DP_NPU_CONF0_ROUND : 0u) |
            (c->signed_input ? DP_NPU_CONF0_SIGNED_INPUT : 0u) | (c->signed_output ? DP_NPU_CONF0_SIGNED_OUTPUT : 0u) |
            (c->relu ? DP_NPU_CONF0_RELU : 0u) | (c->channel_shift ? DP_NPU_CONF0_CHANNEL_SHIFT : 0u) |
            (c->use_bias ? DP_NPU_CONF0_BIAS : 0u) | (c->from_wmem ? DP_NPU_CONF0_WEIGHTS_FROM_WMEM : 0u) |
            DP_NPU_CONF0_LAYER_SHIFT(c->layer_shift);
  return t;
}

/* The largest output extent whose windows stay within [-2, n + 2) (1x1: within the input). */
static uint32_t largest_output(const conv_case *c, uint32_t n, uint32_t pad) {
  if (c->mode == DP_NPU_MODE_1X1) return (n - 1u) / c->stride + 1u;
  return (n + 1u + pad - 2u) / c->stride + 1u;
}

/* A random task of `mode` with at most about `mac_budget` multiply-accumulates; fills the operands. */
static conv_case random_case(uint32_t conv_mode, uint32_t mac_budget) {
  conv_case c;
  uint32_t i;
  memset(&c, 0, sizeof c);
  c.mode = conv_mode;
  do {
    c.stride = 1u + random_below(2u);
    c.height = 1u + random_below(13u);
    c.width = 1u + random_below(13u);
    c.top = conv_mode == DP_NPU_MODE_1X1 ? 0u : random_below(3u);
    c.left = conv_mode == DP_NPU_MODE_1X1 ? 0u : random_below(3u);
    c.out_height = 1u + random_below(largest_output(&c, c.height, c.top));
    c.out_width = 1u + random_below(largest_output(&c, c.width, c.left));
    c.in_channels = 1u + random_below(conv_mode == DP_NPU_MODE_1X1 ? 100u : 64u);
    c.out_channels = conv_mode == DP_NPU_MODE_DEPTHWISE ? c.in_channels : 1u + random_below(80u);
  } while (model_macs(&c) > mac_budget || c.out_height * c.out_width * c.out_channels * 4u > 48000u);
  c.bits = 1u + random_below(8u);
  c.requant = random_below(4u) != 0u;
  c.round = (int)random_below(2u);
  c.signed_input = (int)random_below(2u);
  c.signed_output = c.requant && random_below(2u);
  c.relu = (int)random_below(3u) == 0;
  c.channel_shift = (int)random_below(2u);
  c.use_bias = (int)random_below(2u);
  c.layer_shift = random_below(32u);
  c.pad_value = (uint8_t)next_random();
  /* Offsets put the weights anywhere in or around int8's range (e.g. -128 for 8-bit weights). */
  c.weight_offset = (int32_t)random_below(1u << c.bits) - (int32_t)(1u << c.bits) + (int32_t)random_below(3u) - 1;
  c.in_pixel_stride = c.in_channels + random_below(3u);
  c.in_row_stride = c.width * c.in_pixel_stride + random_below(5u);
  c.out_pixel_stride = c.out_channels * value_bytes(&c) + random_below(3u) * value_bytes(&c);
  c.out_row_stride = c.out_width * c.out_pixel_stride + random_below(5u) * value_bytes(&c);
  for (i = 0; i < c.height * c.in_row_stride; ++i) input[i] = (uint8_t)next_random();
  for (i = 0; i < c.out_channels * 9u * c.in_channels; ++i) raw_weights[i] = (uint8_t)(next_random() & ((1u << c.bits) - 1u));
  for (i = 0; i < c.out_channels; ++i) {
    /* Scales up to 2^31 - 1 exercise the 64-bit requantization. */
    scale[i] = random_below(8u) == 0u ? (int32_t)(next_random() << 7) : (int32_t)random_below(4096u) - 1024;
    bias[i] = (int32_t)(next_random() << 8);
    shift[i] = (uint8_t)random_below(64u);
  }
  return c;
}

static void fill_outputs(uint8_t pattern) {
  memset(output, pattern, sizeof output);
  memset(expected, pattern, sizeof expected);
}

/* Runs `c` with weights at `weight_address` (encoded there already) and checks everything. */
static void run_and_check(const char *what, int n, const conv_case *c, const uint8_t *weight_address) {
  const uint64_t cycles0 = dp_npu_modelled_cycles(), macs0 = dp_npu_macs();
  const dp_npu_task task = task_of(c, weight_address);
  fill_outputs((uint8_t)n);
  reference(c);
  const uint32_t id = dp_npu_commit(&task);
  CHECK(id != 0u, "%s %d: refused (errors %#lx)", what, n, (unsigned long)dp_npu_errors());
  dp_npu_wait(id);
  const uint32_t extent = c->out_height * c->out_row_stride + 64u;
  uint32_t first = 0u;
  while (first < extent && output[first] == expected[first]) ++first;
  CHECK(first == extent, "%s %d: mode %lu s%lu %lux%lu->%lux%lu ci %lu co %lu pad %lu,%lu bits %lu rq %d: byte %lu is %u, not %u", what,
        n, (unsigned long)c->mode, (unsigned long)c->stride, (unsigned long)c->height, (unsigned long)c->width,
        (unsigned long)c->out_height, (unsigned long)c->out_width, (unsigned long)c->in_channels,
        (unsigned long)c->out_channels, (unsigned long)c->top, (unsigned long)c->left, (unsigned long)c->bits, c->requant,
        (unsigned long)first, first < extent ? output[first] : 0u, first < extent ? expected[first] : 0u);
  CHECK(dp_npu_modelled_cycles() - cycles0 == model_cycles(c), "%s %d: %llu modelled cycles, the model says %llu", what, n,
        (unsigned long long)(dp_npu_modelled_cycles() - cycles0), (unsigned long long)model_cycles(c));
  CHECK(dp_npu_macs() - macs0 == model_macs(c), "%s %d: %llu MACs, not %llu", what, n,
        (unsigned long long)(dp_npu_macs() - macs0), (unsigned long long)model_macs(c));
  CHECK(dp_npu_errors() == 0u, "%s %d: errors %#lx", what, n, (unsigned long)dp_npu_errors());
  dp_npu_clear_errors();
}

static void phase_done(const char *phase) {
  printf("NPU_TEST minstret %s %llu\n", phase, (unsigned long long)dp_read_instret());
}

static void test_registers(void) {
  CHECK(DP_NPU_REG(DP_NPU_ID) == DP_NPU_ID_VALUE, "ID %#lx", (unsigned long)DP_NPU_REG(DP_NPU_ID));
  CHECK(DP_NPU_REG(DP_NPU_QUEUE_DEPTH) == DP_NPU_QUEUE_SLOTS, "queue depth %lu", (unsigned long)DP_NPU_REG(DP_NPU_QUEUE_DEPTH));
  CHECK(DP_NPU_REG(DP_NPU_QUEUE_FREE) == DP_NPU_QUEUE_SLOTS, "queue not empty at start");
  CHECK((DP_NPU_REG(DP_NPU_STATUS) & DP_NPU_STATUS_BUSY) == 0u, "busy at start");
  CHECK(DP_NPU_REG(DP_NPU_TASKS) == 0u && DP_NPU_REG(DP_NPU_COMPLETED) == 0u, "tasks counted at start");
  CHECK(DP_NPU_REG(DP_NPU_STEP_CYCLES(DP_NPU_MODE_3X3)) == 3u, "step cycles read back %lu",
        (unsigned long)DP_NPU_REG(DP_NPU_STEP_CYCLES(DP_NPU_MODE_3X3)));
  CHECK(DP_NPU_REG(DP_NPU_WMEM_SIZE) == sizeof weight_memory, "WMEM size reads back");
  CHECK(DP_NPU_REG(DP_NPU_WAKE_HARTS) == 1u, "wake harts %#lx", (unsigned long)DP_NPU_REG(DP_NPU_WAKE_HARTS));
  CHECK(dp_npu_modelled_cycles() == 0u && dp_npu_macs() == 0u && dp_npu_stall_cycles() == 0u, "counters at start");
  phase_done("registers");
}

/* Random tasks of every mode against the reference: geometry, strides and every CONF0 option. */
static void test_random(void) {
  static const char *const names[3] = {"1x1", "3x3", "depthwise"};
  uint32_t conv_mode;
  int n;
  for (conv_mode = 0; conv_mode < 3u; ++conv_mode)
    for (n = 0; n < 60; ++n) {
      const conv_case c = random_case(conv_mode, 60000u);
      encode_weights(&c, weights);
      run_and_check(names[conv_mode], n, &c, weights);
    }
  phase_done("random");
}

/* Channel counts on and around the block sizes (28, 32) and 6x6 subtile edges, all 8 weight bits. */
static void test_block_edges(void) {
  static const uint32_t channels[] = {1u, 27u, 28u, 29u, 31u, 32u, 33u, 56u, 64u, 65u};
  uint32_t conv_mode, i;
  int n = 0;
  for (conv_mode = 0; conv_mode < 3u; ++conv_mode)
    for (i = 0; i < sizeof channels / sizeof channels[0]; ++i, ++n) {
      conv_case c = random_case(conv_mode, 200000u);
      c.bits = 8u;
      c.weight_offset = -128;
      c.stride = 1u;
      c.top = c.left = conv_mode == DP_NPU_MODE_1X1 ? 0u : 1u;
      c.height = c.out_height = 7u;
      c.width = c.out_width = 6u + i % 2u;
      c.in_channels = channels[i];
      c.out_channels = conv_mode == DP_NPU_MODE_DEPTHWISE ? channels[i] : channels[(i * 7u) % 10u];
      c.in_pixel_stride = c.in_channels;
      c.in_row_stride = c.width * c.in_channels;
      c.out_pixel_stride = c.out_channels * value_bytes(&c);
      c.out_row_stride = c.out_width * c.out_pixel_stride;
      for (uint32_t j = 0; j < c.height * c.in_row_stride; ++j) input[j] = (uint8_t)next_random();
      for (uint32_t j = 0; j < c.out_channels * 9u * c.in_channels; ++j) raw_weights[j] = (uint8_t)next_random();
      encode_weights(&c, weights);
      run_and_check("edge", n, &c, weights);
    }
  phase_done("block_edges");
}

/* Weights in the weight memory: timed at its bandwidth; weights outside it, or crossing its end, refused. */
static void test_weight_memory(void) {
  conv_case c = random_case(DP_NPU_MODE_1X1, 30000u);
  c.from_wmem = 1;
  encode_weights(&c, weight_memory);
  run_and_check("wmem", 0, &c, weight_memory);
  const uint32_t tasks = dp_npu_tasks();
  dp_npu_task t = task_of(&c, weights);
  CHECK(dp_npu_commit(&t) == 0u && dp_npu_errors() == DP_NPU_STATUS_ERR_TASK, "weights outside WMEM: errors %#lx",
        (unsigned long)dp_npu_errors());
  dp_npu_clear_errors();
  t = task_of(&c, weight_memory + sizeof weight_memory - encoded_bytes(&c) + 1u);
  CHECK(dp_npu_commit(&t) == 0u && dp_npu_errors() == DP_NPU_STATUS_ERR_TASK, "weights crossing WMEM's end: errors %#lx",
        (unsigned long)dp_npu_errors());
  dp_npu_clear_errors();
  CHECK(dp_npu_tasks() == tasks, "refused tasks were counted");
  phase_done("weight_memory");
}

/* Two tasks fill the queue; a third COMMIT sets ERR_FULL; nothing is written before a task completes. */
static void test_queue(void) {
  dp_npu_timing slow = kTiming;
  slow.setup_cycles = mode == MODE_REAL ? 2000000u : 200000u; /* 2 ms of the host's time without -icount */
  slow.wmem_base = (uint32_t)(uintptr_t)weight_memory;
  slow.wmem_size = sizeof weight_memory;
  dp_npu_configure(&slow);
  conv_case c = random_case(DP_NPU_MODE_3X3, 20000u);
  c.requant = 1;
  c.signed_output = 0;
  c.out_pixel_stride = c.out_channels;
  c.out_row_stride = c.out_width * c.out_channels;
  encode_weights(&c, weights);
  const dp_npu_task t = task_of(&c, weights);
  fill_outputs(0xa5u);
  reference(&c);
  memcpy((void *)(uintptr_t)(DP_NPU_BASE + DP_NPU_TASK), &t, sizeof t);
  const uint32_t before = DP_NPU_REG(DP_NPU_TASKS);
  DP_NPU_REG(DP_NPU_COMMIT) = 1u;
  DP_NPU_REG(DP_NPU_COMMIT) = 1u;
  CHECK(DP_NPU_REG(DP_NPU_TASKS) == before + 2u, "two commits gave %lu tasks", (unsigned long)(DP_NPU_REG(DP_NPU_TASKS) - before));
  CHECK(DP_NPU_REG(DP_NPU_QUEUE_FREE) == 0u, "queue free %lu with two tasks pending", (unsigned long)DP_NPU_REG(DP_NPU_QUEUE_FREE));
  CHECK((DP_NPU_REG(DP_NPU_STATUS) & DP_NPU_STATUS_BUSY) != 0u, "not busy with two tasks pending");
  DP_NPU_REG(DP_NPU_COMMIT) = 1u;
  CHECK(dp_npu_errors() == DP_NPU_STATUS_ERR_FULL, "a third commit: errors %#lx", (unsigned long)dp_npu_errors());
  CHECK(DP_NPU_REG(DP_NPU_TASKS) == before + 2u, "the refused commit was counted");
  dp_npu_clear_errors();
  CHECK(output[0] == 0xa5u && memcmp(output, expected, 64) != 0, "output written before the task completed");
  /* The driver waits for a free slot by itself. */
  const uint32_t third = dp_npu_commit(&t);
  CHECK(third == before + 3u, "the driver's commit got id %lu", (unsigned long)third);
  CHECK((int32_t)(DP_NPU_REG(DP_NPU_COMPLETED) - (before + 1u)) >= 0, "committed into a full queue");
  dp_npu_wait_all();
  CHECK(memcmp(output, expected, c.out_height * c.out_row_stride) == 0, "queued tasks' output differs");
  CHECK(DP_NPU_REG(DP_NPU_QUEUE_FREE) == DP_NPU_QUEUE_SLOTS && (DP_NPU_REG(DP_NPU_STATUS) & DP_NPU_STATUS_BUSY) == 0u,
        "queue not empty after the last completion");
  slow.setup_cycles = kTiming.setup_cycles;
  dp_npu_configure(&slow);
  phase_done("queue");
}

/* Wake-ups come at the modelled end (exact mode: within 80 ns); STALL_CYCLES counts the sleep. */
static void test_timing(void) {
  if (mode == MODE_REAL) return;
  conv_case c = random_case(DP_NPU_MODE_1X1, 20000u);
  encode_weights(&c, weights);
  const dp_npu_task t = task_of(&c, weights);
  const uint64_t duration = model_cycles(&c);
  const uint64_t stall0 = dp_npu_stall_cycles();
  const uint64_t t0 = read_cycle();
  const uint32_t id = dp_npu_commit(&t);
  dp_npu_wait(id);
  const uint64_t t1 = read_cycle();
  const uint64_t stalled = dp_npu_stall_cycles() - stall0;
  CHECK(t1 - t0 >= duration, "woken %llu ns after a %llu-cycle task", (unsigned long long)(t1 - t0), (unsigned long long)duration);
  if (mode == MODE_EXACT) {
    CHECK(t1 - t0 <= duration + 80u, "woken %llu ns after a %llu-cycle task", (unsigned long long)(t1 - t0),
          (unsigned long long)duration);
  }
  CHECK(stalled + 60u > duration && stalled <= duration, "stalled %llu cycles for a %llu-cycle task",
        (unsigned long long)stalled, (unsigned long long)duration);
  /* Two tasks run one after the other: the second ends a duration after the first. */
  const uint64_t t2 = read_cycle();
  dp_npu_commit(&t);
  dp_npu_wait(dp_npu_commit(&t));
  const uint64_t t3 = read_cycle();
  CHECK(t3 - t2 >= 2u * duration, "two tasks done after %llu ns, not %llu", (unsigned long long)(t3 - t2),
        (unsigned long long)(2u * duration));
  if (mode == MODE_EXACT) CHECK(t3 - t2 <= 2u * duration + 120u, "two tasks done after %llu ns", (unsigned long long)(t3 - t2));
  phase_done("timing");
}

/* Each impossible task sets ERR_TASK and is not counted; unmapped memory sets ERR_BUS. */
static void test_errors(void) {
  conv_case good = random_case(DP_NPU_MODE_3X3, 20000u);
  encode_weights(&good, weights);
  const dp_npu_task base = task_of(&good, weights);
  dp_npu_task bad[9];
  const char *const why[9] = {"mode 3", "zero height", "zero output width", "zero channels", "depthwise Ci != Co",
                               "top padding 3", "padding in 1x1", "window past the padding", "int32 output marked signed"};
  int i;
  for (i = 0; i < 9; ++i) bad[i] = base;
  bad[0].conf0 |= 3u;
  bad[1].in_size = DP_NPU_SIZE(0u, good.width);
  bad[2].out_size = DP_NPU_SIZE(good.out_height, 0u);
  bad[3].channels = DP_NPU_CHANNELS(good.out_channels, 0u);
  bad[4].conf0 = (bad[4].conf0 & ~3u) | DP_NPU_MODE_DEPTHWISE;
  bad[4].channels = DP_NPU_CHANNELS(5u, 6u);
  bad[5].padding = DP_NPU_PADDING(3u, 0u, 0u);
  bad[6].conf0 &= ~3u;
  bad[6].padding = DP_NPU_PADDING(0u, 1u, 0u);
  bad[7].out_size = DP_NPU_SIZE(good.height + 3u, good.out_width); /* stride 1 or 2: rows beyond H + 2 */
  bad[7].conf0 &= ~DP_NPU_CONF0_STRIDE2;
  bad[7].padding = DP_NPU_PADDING(0u, good.left, 0u);
  bad[8].conf0 = (bad[8].conf0 & ~DP_NPU_CONF0_REQUANT) | DP_NPU_CONF0_SIGNED_OUTPUT;
  for (i = 0; i < 9; ++i) {
    const uint32_t tasks = dp_npu_tasks();
    CHECK(dp_npu_commit(&bad[i]) == 0u, "%s: accepted", why[i]);
    CHECK(dp_npu_errors() == DP_NPU_STATUS_ERR_TASK, "%s: errors %#lx", why[i], (unsigned long)dp_npu_errors());
    CHECK(dp_npu_tasks() == tasks, "%s: counted", why[i]);
    dp_npu_clear_errors();
  }
  /* The largest valid windows: the last one reaching row H + 1 is accepted. */
  dp_npu_task edge = base;
  edge.conf0 &= ~DP_NPU_CONF0_STRIDE2;
  edge.padding = DP_NPU_PADDING(0u, 0u, 0u);
  edge.out_size = DP_NPU_SIZE(good.height, good.width); /* rows 0..H+1 */
  dp_npu_wait(dp_npu_commit(&edge));
  CHECK(dp_npu_errors() == 0u, "windows reaching H + 1: errors %#lx", (unsigned long)dp_npu_errors());
  /* Unmapped input: the task completes with ERR_BUS. */
  dp_npu_task unmapped = base;
  unmapped.input = (const void *)0x01000000u;
  const uint32_t id = dp_npu_commit(&unmapped);
  CHECK(id != 0u, "a task with an unmapped input was refused at commit");
  dp_npu_wait(id);
  CHECK(dp_npu_errors() == DP_NPU_STATUS_ERR_BUS, "unmapped input: errors %#lx", (unsigned long)dp_npu_errors());
  dp_npu_clear_errors();
  /* COMMIT_TASK from an unreadable address queues nothing. */
  const uint32_t tasks = dp_npu_tasks();
  DP_NPU_REG(DP_NPU_COMMIT_TASK) = 0x01000000u;
  CHECK(dp_npu_errors() == DP_NPU_STATUS_ERR_BUS && dp_npu_tasks() == tasks, "unreadable task: errors %#lx",
        (unsigned long)dp_npu_errors());
  dp_npu_clear_errors();
  phase_done("errors");
}

static void parse_command_line(void) {
  char line[128] = {0};
  if (sys_semihost_get_cmdline(line, sizeof line - 1) != 0) return;
  char *word = strtok(line, " "); /* the program's name */
  if (word && (word = strtok(NULL, " "))) {
    mode = strcmp(word, "exact") == 0 ? MODE_EXACT : strcmp(word, "icount") == 0 ? MODE_ICOUNT : MODE_REAL;
  }
}

int main(void) {
  dp_npu_timing timing = kTiming;
  parse_command_line();
  timing.wmem_base = (uint32_t)(uintptr_t)weight_memory;
  timing.wmem_size = sizeof weight_memory;
  dp_npu_configure(&timing);
  printf("npu_test: mode %s\n", mode == MODE_EXACT ? "exact" : mode == MODE_ICOUNT ? "icount" : "real");
  test_registers();
  test_random();
  test_block_edges();
  test_weight_memory();
  test_queue();
  test_timing();
  test_errors();
  printf("npu_test: %lu tasks, %llu MACs, %llu modelled cycles, %d failure(s)\n", (unsigned long)dp_npu_tasks(),
         (unsigned long long)dp_npu_macs(), (unsigned long long)dp_npu_modelled_cycles(), failures);
  return failures ? 1 : 0;
}
