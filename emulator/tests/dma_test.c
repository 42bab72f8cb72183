/* Bare-metal test of the cluster DMA device (emulator/patches/0002-cluster-dma.patch) through its
 * driver (runtime/siracusa/dma.c), on hart 0 of QEMU virt, with the other harts serving the runtime's
 * fork/join (runtime/rv32/cluster.c).
 *
 * The semihosting command line gives the harts to use and what QEMU's clock is:
 *   dma_test CORES MODE     MODE: real   (no -icount: the device's time is the host's)
 *                                 icount (-icount shift=0: the device's time advances with the
 *                                         instructions while a hart runs; mcycle is that time)
 *                                 exact  (-icount shift=0,sleep=off: besides, the time jumps exactly to
 *                                         the next completion when every hart sleeps)
 * Checks that need a clock tied to the instructions run only in icount and exact modes; the model's
 * wall-clock bounds (mcycle between start and wake-up) only in exact mode. Prints
 * "DMA_TEST minstret PHASE N" after every phase; the exit status is 0 when every check passed. */
#include <semihost.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/dma.h"
#include "kernels/parallel.h"
#include "rv32/cluster.h"
#include "rv32/hart.h"
#include "siracusa/dma_device.h"

enum { MODE_REAL, MODE_ICOUNT, MODE_EXACT };
static int mode = MODE_REAL;
static int cores = 1;
static int failures;

#define CHECK(cond, ...)                       \
  do {                                         \
    if (!(cond)) {                             \
      ++failures;                              \
      printf("FAIL line %d: ", __LINE__);      \
      printf(__VA_ARGS__);                     \
      printf("\n");                            \
    }                                          \
  } while (0)

/* Memories with bandwidths of their own (windows 0..3) and one outside every window. */
#define SETUP 20u
#define BW_FAST 2048u /* 8 bytes per cycle */
#define BW_MID 1024u  /* 4 */
#define BW_SLOW 1u    /* 1/256 */
#define BW_FRAC 384u  /* 1.5 */
#define BW_DEFAULT 256u
static uint8_t fast[256 * 1024] __attribute__((aligned(64)));
static uint8_t mid[128 * 1024] __attribute__((aligned(64)));
static uint8_t slow[64 * 1024] __attribute__((aligned(64)));
static uint8_t frac[4096] __attribute__((aligned(64)));
static uint8_t plain[128 * 1024] __attribute__((aligned(64)));
static uint8_t reference[128 * 1024] __attribute__((aligned(64)));

static void configure_standard(uint32_t setup) {
  const dp_dma_window windows[4] = {
      {(uint32_t)(uintptr_t)fast, sizeof fast, BW_FAST},
      {(uint32_t)(uintptr_t)mid, sizeof mid, BW_MID},
      {(uint32_t)(uintptr_t)slow, sizeof slow, BW_SLOW},
      {(uint32_t)(uintptr_t)frac, sizeof frac, BW_FRAC},
  };
  dp_dma_configure(windows, 4, setup, BW_DEFAULT);
}

static uint32_t rng = 12345u;
static uint32_t next_random(void) {
  rng = rng * 1664525u + 1013904223u;
  return rng >> 8;
}

static void fill(uint8_t *p, uint32_t n, uint32_t seed) {
  for (uint32_t i = 0; i < n; ++i) p[i] = (uint8_t)(seed + i * 7u + (i >> 8) * 13u);
}

static dp_dma_shape shape_1d(uint32_t bytes) {
  dp_dma_shape s = {bytes, 1u, 1u, 0u, 0u, 0u, 0u};
  return s;
}

/* What the DMA should do, by the cores. */
static void reference_copy(uint8_t *dst, const uint8_t *src, const dp_dma_shape *s) {
  for (uint32_t p = 0; p < s->planes; ++p)
    for (uint32_t r = 0; r < s->rows; ++r)
      for (uint32_t b = 0; b < s->run_bytes; ++b)
        dst[p * s->dst_plane_stride + r * s->dst_row_stride + b] = src[p * s->src_plane_stride + r * s->src_row_stride + b];
}

static void phase_done(const char *phase) {
  printf("DMA_TEST minstret %s %llu\n", phase, (unsigned long long)dp_read_instret());
}

/* Bytes moved, at a transfer's bandwidth: setup + ceil(bytes * 256 / bw). */
static uint64_t model(uint32_t bytes, uint32_t bw_q8, uint32_t setup) {
  return bytes == 0 ? 0 : setup + ((uint64_t)bytes * 256u + bw_q8 - 1u) / bw_q8;
}

static void test_registers(void) {
  CHECK(DP_DMA_REG(DP_DMA_ID) == DP_DMA_ID_VALUE, "ID %#lx", (unsigned long)DP_DMA_REG(DP_DMA_ID));
  CHECK(DP_DMA_REG(DP_DMA_QUEUE_DEPTH) >= 16u, "queue depth %lu", (unsigned long)DP_DMA_REG(DP_DMA_QUEUE_DEPTH));
  CHECK(DP_DMA_REG(DP_DMA_QUEUE_FREE) == DP_DMA_REG(DP_DMA_QUEUE_DEPTH), "queue not empty at start");
  CHECK(DP_DMA_REG(DP_DMA_WIN_BW_Q8(2)) == BW_SLOW, "window 2 bandwidth reads back %lu",
        (unsigned long)DP_DMA_REG(DP_DMA_WIN_BW_Q8(2)));
  CHECK(DP_DMA_REG(DP_DMA_SETUP_CYCLES) == SETUP, "setup reads back");
  CHECK(DP_DMA_REG(DP_DMA_WAKE_HARTS) == 1u, "wake harts %#lx", (unsigned long)DP_DMA_REG(DP_DMA_WAKE_HARTS));
  CHECK(DP_DMA_REG(DP_DMA_WAKE_AT) == 0u, "wake at %lu after reset", (unsigned long)DP_DMA_REG(DP_DMA_WAKE_AT));
  CHECK(DP_DMA_REG(DP_DMA_LIST_COUNT) == 0u, "list count %lu after reset", (unsigned long)DP_DMA_REG(DP_DMA_LIST_COUNT));
  CHECK((DP_DMA_REG(DP_DMA_STATUS) & DP_DMA_STATUS_BUSY) == 0u, "busy at start");
  CHECK(dp_dma_stall_cycles() == 0u, "%llu stall cycles at start", (unsigned long long)dp_dma_stall_cycles());
  /* WAKE_NOW raises the MSIP of the harts its bits name (fork/join wakes harts 1.. so). */
  DP_CLINT_MSIP[0] = 0u;
  DP_DMA_REG(DP_DMA_WAKE_NOW) = 0u;
  CHECK(DP_CLINT_MSIP[0] == 0u, "WAKE_NOW 0 woke hart 0");
  DP_DMA_REG(DP_DMA_WAKE_NOW) = 1u;
  CHECK(DP_CLINT_MSIP[0] == 1u, "WAKE_NOW bit 0 did not wake hart 0");
  DP_CLINT_MSIP[0] = 0u;
  phase_done("registers");
}

static void test_1d(void) {
  static const uint32_t sizes[] = {1, 3, 4, 63, 64, 1000, 4096, 65536, 70001};
  for (unsigned k = 0; k < sizeof sizes / sizeof sizes[0]; ++k) {
    const uint32_t n = sizes[k], offset = k * 5u;
    dp_dma_group g = {0u};
    dp_dma_shape s = shape_1d(n);
    fill(fast, sizeof fast, k);
    memset(plain, 0xee, sizeof plain);
    dp_dma_start(&g, plain + offset, fast + 3u, &s);
    dp_dma_wait(&g);
    CHECK(g.started == 0u, "group not reset after its wait");
    CHECK(memcmp(plain + offset, fast + 3u, n) == 0, "1-D copy of %lu bytes differs", (unsigned long)n);
    int outside = 0;
    for (uint32_t i = 0; i < offset; ++i) outside |= plain[i] != 0xee;
    for (uint32_t i = offset + n; i < sizeof plain; ++i) outside |= plain[i] != 0xee;
    CHECK(!outside, "1-D copy of %lu bytes wrote outside its destination", (unsigned long)n);
  }
  phase_done("1d");
}

/* Random 1-D to 3-D shapes (source strides of 0 included), eight transfers in flight at a time into
 * slots of their own, each slot compared whole against the cores' copy. */
static void test_shapes(void) {
  enum { SLOTS = 8, SLOT_BYTES = 8192, ROUNDS = 40 };
  fill(fast, sizeof fast, 99u);
  for (int round = 0; round < ROUNDS; ++round) {
    dp_dma_group g = {0u};
    dp_dma_shape shapes[SLOTS];
    uint32_t src_offsets[SLOTS];
    memset(mid, 0x5a, SLOTS * SLOT_BYTES);
    memset(reference, 0x5a, SLOTS * SLOT_BYTES);
    for (int k = 0; k < SLOTS; ++k) {
      dp_dma_shape *s = &shapes[k];
      s->run_bytes = 1u + next_random() % 64u;
      s->rows = 1u + next_random() % 8u;
      s->planes = 1u + next_random() % 4u;
      s->src_row_stride = next_random() % 5u == 0 ? 0u : s->run_bytes + next_random() % 20u;
      s->src_plane_stride = next_random() % 7u == 0 ? 0u : s->rows * (s->run_bytes + 20u) + next_random() % 40u;
      s->dst_row_stride = s->run_bytes + next_random() % 9u;
      s->dst_plane_stride = s->rows * s->dst_row_stride + next_random() % 17u;
      src_offsets[k] = next_random() % 32768u;
      reference_copy(reference + k * SLOT_BYTES, fast + src_offsets[k], s);
      dp_dma_start(&g, mid + k * SLOT_BYTES, fast + src_offsets[k], s);
    }
    dp_dma_wait(&g);
    for (int k = 0; k < SLOTS; ++k) {
      const dp_dma_shape *s = &shapes[k];
      CHECK(memcmp(mid + k * SLOT_BYTES, reference + k * SLOT_BYTES, SLOT_BYTES) == 0,
            "round %d slot %d: %lux%lux%lu, strides src %lu/%lu dst %lu/%lu differs", round, k, (unsigned long)s->planes,
            (unsigned long)s->rows, (unsigned long)s->run_bytes, (unsigned long)s->src_row_stride,
            (unsigned long)s->src_plane_stride, (unsigned long)s->dst_row_stride, (unsigned long)s->dst_plane_stride);
    }
  }
  phase_done("shapes");
}

/* Fixed 2-D and 3-D cases: a sub-block of a matrix, two transfers interleaving their rows in one
 * destination, a 3-D gather with plane strides, and runs that merge (contiguous rows and planes). */
static void test_2d_3d(void) {
  dp_dma_group ga = {0u}, gb = {0u};
  fill(fast, sizeof fast, 7u);
  fill(plain, 4096, 200u);
  memset(mid, 0, 65536);
  memset(reference, 0, 65536);
  /* Rows 16..25, columns 8..31 of a 40-wide matrix into a 32-wide one. */
  dp_dma_shape block = {24u, 10u, 1u, 40u, 32u, 0u, 0u};
  dp_dma_start(&ga, mid, fast + 16u * 40u + 8u, &block);
  reference_copy(reference, fast + 16u * 40u + 8u, &block);
  /* Two transfers filling alternate 16-byte runs of one destination, both in flight. */
  dp_dma_shape even = {16u, 32u, 1u, 16u, 32u, 0u, 0u};
  dp_dma_start(&ga, mid + 1024u, fast + 5000u, &even);
  dp_dma_start(&gb, mid + 1024u + 16u, plain, &even);
  reference_copy(reference + 1024u, fast + 5000u, &even);
  reference_copy(reference + 1024u + 16u, plain, &even);
  /* 3 planes of 5 rows of 7 bytes, gathered from rows 11 bytes apart and planes 64 apart. */
  dp_dma_shape gather = {7u, 5u, 3u, 11u, 7u, 64u, 35u};
  dp_dma_start(&gb, mid + 4096u, fast + 777u, &gather);
  reference_copy(reference + 4096u, fast + 777u, &gather);
  /* Scatter back with both strides larger on the destination. */
  dp_dma_shape scatter = {7u, 5u, 3u, 7u, 13u, 35u, 100u};
  dp_dma_start(&gb, mid + 8192u, fast + 9000u, &scatter);
  reference_copy(reference + 8192u, fast + 9000u, &scatter);
  /* Contiguous rows and planes (one run of 4 x 8 x 100 bytes for the device). */
  dp_dma_shape dense = {100u, 8u, 4u, 100u, 100u, 800u, 800u};
  dp_dma_start(&gb, mid + 12288u, fast + 20000u, &dense);
  reference_copy(reference + 12288u, fast + 20000u, &dense);
  /* Contiguous rows but a gap between planes. */
  dp_dma_shape planes_apart = {50u, 4u, 3u, 50u, 50u, 300u, 256u};
  dp_dma_start(&gb, mid + 16384u, fast + 30000u, &planes_apart);
  reference_copy(reference + 16384u, fast + 30000u, &planes_apart);
  dp_dma_wait(&gb);
  dp_dma_wait(&ga);
  CHECK(memcmp(mid, reference, 20480) == 0, "2-D / 3-D copies differ");
  phase_done("2d_3d");
}

/* More transfers than the queue holds, behind a slow one: the driver waits for free slots. */
static void test_many(void) {
  enum { COUNT = 100, BYTES = 96 };
  dp_dma_group g = {0u};
  const uint32_t depth = DP_DMA_REG(DP_DMA_QUEUE_DEPTH), before = dp_dma_transfers();
  dp_dma_shape slow_one = shape_1d(1024u); /* 20 + 262144 cycles */
  dp_dma_shape small = shape_1d(BYTES);
  fill(slow, 1024u, 3u);
  fill(fast, COUNT * BYTES, 4u);
  memset(plain, 0, COUNT * BYTES + 1024u);
  dp_dma_start(&g, plain + COUNT * BYTES, slow, &slow_one);
  for (int k = 0; k < COUNT; ++k) dp_dma_start(&g, plain + k * BYTES, fast + k * BYTES, &small);
  CHECK(dp_dma_transfers() - before == COUNT + 1u, "%lu transfers accepted of %d",
        (unsigned long)(dp_dma_transfers() - before), COUNT + 1);
  if (mode != MODE_REAL) {
    /* Transfers complete in order: the last one is pending until the queue has turned over. */
    CHECK(DP_DMA_REG(DP_DMA_QUEUE_FREE) < depth, "queue empty right after starting %d transfers", COUNT + 1);
  }
  dp_dma_wait(&g);
  CHECK(DP_DMA_REG(DP_DMA_QUEUE_FREE) == depth, "queue not empty after waiting");
  CHECK(memcmp(plain, fast, COUNT * BYTES) == 0, "queued transfers differ");
  CHECK(memcmp(plain + COUNT * BYTES, slow, 1024u) == 0, "slow transfer differs");
  CHECK(dp_dma_errors() == 0u, "errors %#lx after queueing", (unsigned long)dp_dma_errors());
  phase_done("many");
}

/* Groups waited for in another order than started: waiting for a later group completes the earlier
 * ones too (one channel, start order); waiting for a completed group returns at once. */
static void test_group_order(void) {
  dp_dma_group a = {0u}, b = {0u}, c = {0u};
  dp_dma_shape big = shape_1d(40000u), small = shape_1d(64u);
  fill(fast, 40000u, 11u);
  fill(frac, 128u, 12u);
  memset(mid, 0, 50000u);
  dp_dma_start(&a, mid, fast, &big);
  dp_dma_start(&b, mid + 40000u, frac, &small);
  dp_dma_start(&c, mid + 40064u, frac + 64u, &small);
  const uint32_t id_a = a.started, id_b = b.started, id_c = c.started;
  CHECK(id_b == id_a + 1u && id_c == id_b + 1u, "ids %lu %lu %lu", (unsigned long)id_a, (unsigned long)id_b,
        (unsigned long)id_c);
  if (mode != MODE_REAL) {
    CHECK((int32_t)(DP_DMA_REG(DP_DMA_COMPLETED) - id_a) < 0, "a 40000-byte transfer completed at once");
  }
  dp_dma_wait(&c);
  CHECK((int32_t)(DP_DMA_REG(DP_DMA_COMPLETED) - id_c) >= 0, "c not completed after its wait");
  CHECK(memcmp(mid, fast, 40000u) == 0, "a not there after waiting for c");
  CHECK(memcmp(mid + 40000u, frac, 128u) == 0, "b or c not there after waiting for c");
  dp_dma_wait(&a);
  dp_dma_wait(&b);
  /* And b first, then a, then c. */
  fill(fast, 40000u, 21u);
  dp_dma_start(&a, mid, fast, &big);
  dp_dma_start(&b, mid + 40000u, frac + 100u, &small);
  dp_dma_start(&c, mid + 40064u, frac + 200u, &small);
  dp_dma_wait(&b);
  CHECK(memcmp(mid, fast, 40000u) == 0 && memcmp(mid + 40000u, frac + 100u, 64u) == 0, "a or b not there after b's wait");
  dp_dma_wait(&a);
  dp_dma_wait(&c);
  CHECK(memcmp(mid + 40064u, frac + 200u, 64u) == 0, "c not there after its wait");
  phase_done("group_order");
}

/* A slow transfer's destination still holds its old bytes right after the start; they are there after
 * the wait. Under -icount the device's time only moves with the instructions, so this is certain. */
static void test_not_before_completion(void) {
  dp_dma_group g = {0u};
  dp_dma_shape s = shape_1d(sizeof slow); /* 20 + 16777216 cycles */
  fill(slow, sizeof slow, 77u);
  memset(plain, 0x11, sizeof slow);
  const uint32_t completed = DP_DMA_REG(DP_DMA_COMPLETED);
  dp_dma_start(&g, plain, slow, &s);
  int untouched = 1;
  for (uint32_t i = 0; i < sizeof slow; i += 512u) untouched &= plain[i] == 0x11;
  const uint32_t status = DP_DMA_REG(DP_DMA_STATUS), completed_now = DP_DMA_REG(DP_DMA_COMPLETED);
  if (mode != MODE_REAL) {
    CHECK(untouched, "destination changed before the transfer completed");
    CHECK(status & DP_DMA_STATUS_BUSY, "not busy right after a start");
    CHECK(completed_now == completed, "completed moved right after a start");
  } else if (!untouched) {
    printf("note: without -icount the host was slower than a 16.8 ms transfer; not checked\n");
  }
  dp_dma_wait(&g);
  CHECK(memcmp(plain, slow, sizeof slow) == 0, "slow transfer differs after its wait");
  CHECK(!(DP_DMA_REG(DP_DMA_STATUS) & DP_DMA_STATUS_BUSY), "busy after the last wait");
  phase_done("not_before_completion");
}

/* The counters against the model for known windows, bandwidths and setup cycles. */
static void test_counters(void) {
  dp_dma_group g = {0u};
  const uint64_t cycles0 = dp_dma_modelled_cycles(), bytes0 = dp_dma_bytes();
  const uint32_t transfers0 = dp_dma_transfers();
  uint64_t expected = 0, bytes = 0;
  dp_dma_shape s1000 = shape_1d(1000u), s1001 = shape_1d(1001u), s3 = shape_1d(3u), s0 = shape_1d(0u);
  dp_dma_shape s2d = {100u, 10u, 1u, 128u, 100u, 0u, 0u};
  dp_dma_start(&g, plain, fast, &s1000); /* source in the fast window only */
  expected += model(1000u, BW_FAST, SETUP), bytes += 1000u;
  dp_dma_start(&g, mid, fast, &s1000); /* source fast, destination mid: the lower */
  expected += model(1000u, BW_MID, SETUP), bytes += 1000u;
  dp_dma_start(&g, plain + 2000u, plain + 8000u, &s1001); /* no window: the default */
  expected += model(1001u, BW_DEFAULT, SETUP), bytes += 1001u;
  dp_dma_start(&g, plain + 4000u, fast, &s3); /* less than a cycle of bandwidth: rounds up */
  expected += model(3u, BW_FAST, SETUP), bytes += 3u;
  dp_dma_start(&g, plain + 5000u, frac, &s1000); /* 1.5 bytes per cycle */
  expected += model(1000u, BW_FRAC, SETUP), bytes += 1000u;
  dp_dma_start(&g, plain + 7000u, fast, &s0); /* nothing: no cycles, not even setup */
  dp_dma_start(&g, mid + 2048u, fast, &s2d); /* 2-D, 1000 bytes, mid */
  expected += model(1000u, BW_MID, SETUP), bytes += 1000u;
  dp_dma_start(&g, plain + 9000u, mid + 4096u, &s1000); /* the destination's window decides nothing here */
  expected += model(1000u, BW_MID, SETUP), bytes += 1000u;
  dp_dma_wait(&g);
  const uint64_t cycles = dp_dma_modelled_cycles() - cycles0;
  CHECK(cycles == expected && expected == 145u + 270u + 1021u + 21u + 687u + 270u + 270u,
        "modelled cycles %lu, expected %lu", (unsigned long)cycles, (unsigned long)expected);
  CHECK(dp_dma_bytes() - bytes0 == bytes, "bytes %lu, expected %lu", (unsigned long)(dp_dma_bytes() - bytes0),
        (unsigned long)bytes);
  CHECK(dp_dma_transfers() - transfers0 == 8u, "transfers %lu, expected 8", (unsigned long)(dp_dma_transfers() - transfers0));

  /* Setup 0, default 2 bytes per cycle, windows off. */
  dp_dma_configure(NULL, 0, 0u, 512u);
  const uint64_t c1 = dp_dma_modelled_cycles();
  dp_dma_start(&g, plain, fast, &s1001);
  dp_dma_wait(&g);
  CHECK(dp_dma_modelled_cycles() - c1 == 501u, "no windows, no setup: %lu cycles, expected 501",
        (unsigned long)(dp_dma_modelled_cycles() - c1));
  configure_standard(SETUP);
  phase_done("counters");
}

/* Under -icount shift=0,sleep=off a lone transfer wakes the hart exactly its modelled cycles after the
 * start, and queued transfers follow each other, on the virtual clock. */
static void test_timing(void) {
  dp_dma_group g = {0u}, h = {0u};
  dp_dma_shape s1000 = shape_1d(1000u), s1001 = shape_1d(1001u), s0 = shape_1d(0u);
  uint64_t t0, t1, t2;
  if (mode == MODE_REAL) return;
  /* 145 cycles; the device counts the stall from the wait's WAKE_AT (a few instructions after the start)
   * to the completion. */
  const uint64_t stall0 = dp_dma_stall_cycles();
  t0 = dp_dma_clock();
  dp_dma_start(&g, plain, fast, &s1000);
  dp_dma_wait(&g);
  t1 = dp_dma_clock();
  const uint64_t stalled = dp_dma_stall_cycles() - stall0;
  CHECK(t1 - t0 >= 145u, "woken %lu ns after a 145-cycle transfer", (unsigned long)(t1 - t0));
  if (mode == MODE_EXACT) CHECK(t1 - t0 <= 145u + 80u, "woken %lu ns after a 145-cycle transfer", (unsigned long)(t1 - t0));
  CHECK(stalled > 145u - 60u && stalled < 145u, "stalled %llu cycles for a 145-cycle transfer", (unsigned long long)stalled);
  /* Waiting for a transfer that has completed stalls nothing. */
  dp_dma_start(&g, plain, fast, &s1000);
  while ((int32_t)(DP_DMA_REG(DP_DMA_COMPLETED) - g.started) < 0) {
  }
  const uint64_t stall1 = dp_dma_stall_cycles();
  dp_dma_wait(&g);
  CHECK(dp_dma_stall_cycles() == stall1, "a wait for a completed transfer stalled %llu cycles",
        (unsigned long long)(dp_dma_stall_cycles() - stall1));
  /* 270 then 1021 cycles, one after the other. */
  t0 = dp_dma_clock();
  dp_dma_start(&g, mid, fast, &s1000);
  dp_dma_start(&h, plain + 2000u, plain + 8000u, &s1001);
  dp_dma_wait(&g);
  t1 = dp_dma_clock();
  dp_dma_wait(&h);
  t2 = dp_dma_clock();
  CHECK(t1 - t0 >= 270u && t2 - t0 >= 270u + 1021u, "queued pair woke at %lu and %lu ns", (unsigned long)(t1 - t0),
        (unsigned long)(t2 - t0));
  if (mode == MODE_EXACT) {
    CHECK(t1 - t0 <= 270u + 120u && t2 - t0 <= 270u + 1021u + 120u, "queued pair woke at %lu and %lu ns",
          (unsigned long)(t1 - t0), (unsigned long)(t2 - t0));
  }
  /* A zero-byte transfer on an idle channel has completed when the start returns. */
  dp_dma_start(&g, plain, fast, &s0);
  CHECK((int32_t)(DP_DMA_REG(DP_DMA_COMPLETED) - g.started) >= 0, "zero-byte transfer pending on an idle channel");
  dp_dma_wait(&g);
  /* 4 GiB-scale cycles: 16 MiB at 1/256 byte per cycle crosses 2^32 modelled cycles (exact mode only:
   * elsewhere it would take 4.3 s of the host's time). The copy is onto itself, in unused RAM. */
  if (mode == MODE_EXACT) {
    const dp_dma_window huge = {0x80800000u, 16u << 20, 1u};
    dp_dma_shape s16m = shape_1d(16u << 20);
    dp_dma_configure(&huge, 1, SETUP, BW_DEFAULT);
    const uint64_t c0 = dp_dma_modelled_cycles();
    t0 = dp_dma_clock();
    dp_dma_start(&g, (void *)0x80800000u, (const void *)0x80800000u, &s16m);
    dp_dma_wait(&g);
    t1 = dp_dma_clock();
    CHECK(dp_dma_modelled_cycles() - c0 == 4294967296ull + SETUP, "16 MiB at 1/256: %llu cycles",
          (unsigned long long)(dp_dma_modelled_cycles() - c0));
    CHECK(DP_DMA_REG(DP_DMA_CYCLES_HI) >= 1u, "cycles high word still 0");
    CHECK(t1 - t0 >= 4294967296ull + SETUP && t1 - t0 <= 4294967296ull + SETUP + 80u, "16 MiB woke after %llu ns",
          (unsigned long long)(t1 - t0));
    configure_standard(SETUP);
  }
  phase_done("timing");
}

/* WAKE_AT: the device raises hart 0's MSIP only at the completion that reaches it (read from the CLINT,
 * hart 0 polling instead of sleeping); 0 wakes at every completion again. Needs a clock tied to the
 * instructions, so that the long fourth transfer is still pending while the first three complete. */
static void test_wake_at(void) {
  dp_dma_group g = {0u};
  dp_dma_shape s1000 = shape_1d(1000u), s8000 = shape_1d(8000u);
  uint32_t ids[4];
  if (mode == MODE_REAL) return;
  for (int k = 0; k < 4; ++k) {
    dp_dma_start(&g, plain + 8192u * (uint32_t)k, fast, k == 3 ? &s8000 : &s1000); /* 1020 cycles each, then 8020 */
    ids[k] = g.started;
  }
  DP_DMA_REG(DP_DMA_WAKE_AT) = ids[3];
  DP_CLINT_MSIP[0] = 0u;
  while ((int32_t)(DP_DMA_REG(DP_DMA_COMPLETED) - ids[2]) < 0) {
  }
  CHECK((int32_t)(DP_DMA_REG(DP_DMA_COMPLETED) - ids[3]) < 0, "the long transfer completed too early");
  CHECK(DP_CLINT_MSIP[0] == 0u, "woken before the completion WAKE_AT names");
  while ((int32_t)(DP_DMA_REG(DP_DMA_COMPLETED) - ids[3]) < 0) {
  }
  CHECK(DP_CLINT_MSIP[0] == 1u, "not woken at the completion WAKE_AT names");
  DP_CLINT_MSIP[0] = 0u;
  DP_DMA_REG(DP_DMA_WAKE_AT) = 0u;
  dp_dma_start(&g, plain, fast, &s1000);
  while ((int32_t)(DP_DMA_REG(DP_DMA_COMPLETED) - g.started) < 0) {
  }
  CHECK(DP_CLINT_MSIP[0] == 1u, "WAKE_AT 0: a completion did not wake");
  DP_CLINT_MSIP[0] = 0u;
  dp_dma_wait(&g);
  phase_done("wake_at");
}

/* Zero-byte transfers: immediate on an idle channel, in order behind others. */
static void test_zero_bytes(void) {
  dp_dma_group g = {0u}, z = {0u};
  dp_dma_shape s0 = shape_1d(0u), big = shape_1d(30000u);
  dp_dma_shape zero_rows = {0u, 5u, 2u, 10u, 10u, 50u, 50u};
  const uint64_t cycles0 = dp_dma_modelled_cycles();
  memset(plain, 0x33, 16);
  dp_dma_start(&z, plain, fast, &s0);
  CHECK(z.started != 0u && (int32_t)(DP_DMA_REG(DP_DMA_COMPLETED) - z.started) >= 0,
        "zero-byte transfer not completed at its start");
  dp_dma_start(&z, plain, fast, &zero_rows);
  CHECK((int32_t)(DP_DMA_REG(DP_DMA_COMPLETED) - z.started) >= 0, "10 runs of 0 bytes not completed at their start");
  CHECK(plain[0] == 0x33, "zero-byte transfer wrote");
  dp_dma_wait(&z);
  fill(fast, 30000u, 5u);
  dp_dma_start(&g, mid, fast, &big);
  dp_dma_start(&z, plain, fast, &s0);
  if (mode != MODE_REAL) {
    CHECK((int32_t)(DP_DMA_REG(DP_DMA_COMPLETED) - z.started) < 0, "zero-byte transfer overtook a pending one");
  }
  dp_dma_wait(&z);
  CHECK(memcmp(mid, fast, 30000u) == 0, "the transfer before a zero-byte one not there after its wait");
  CHECK(dp_dma_modelled_cycles() - cycles0 == model(30000u, BW_MID, SETUP), "zero-byte transfers cost cycles");
  CHECK(dp_dma_errors() == 0u, "zero-byte transfers set errors %#lx", (unsigned long)dp_dma_errors());
  phase_done("zero_bytes");
}

/* Bad shapes and a full queue set error bits and queue nothing; a transfer from unmapped memory sets
 * ERR_BUS and still completes; a transfer into the DMA's own registers changes nothing. */
static void test_errors(void) {
  static const dp_dma_shape bad[] = {
      {16u, 0u, 1u, 16u, 16u, 0u, 0u},             /* no rows */
      {16u, 1u, 0u, 16u, 16u, 0u, 0u},             /* no planes */
      {0u, 0u, 0u, 0u, 0u, 0u, 0u},                /* nothing at all */
      {0x10000u, 0x10000u, 1u, 0u, 0u, 0u, 0u},    /* 2^32 bytes */
      {0x80000000u, 2u, 1u, 0u, 0u, 0u, 0u},       /* 2^32 bytes */
      {0x1000u, 0x1000u, 0x1000u, 0u, 0u, 0u, 0u}, /* 2^36 bytes */
      {0xffffffffu, 0xffffffffu, 0xffffffffu, 0u, 0u, 0u, 0u},
  };
  dp_dma_group g = {0u};
  const uint32_t transfers0 = dp_dma_transfers();
  const uint64_t cycles0 = dp_dma_modelled_cycles();
  for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; ++k) {
    dp_dma_clear_errors();
    dp_dma_start(&g, plain, fast, &bad[k]);
    CHECK(dp_dma_errors() == DP_DMA_STATUS_ERR_SHAPE, "bad shape %u: errors %#lx", k, (unsigned long)dp_dma_errors());
    CHECK(dp_dma_transfers() == transfers0, "bad shape %u was queued", k);
  }
  dp_dma_wait(&g); /* the group holds the last good transfer's id: returns at once */
  CHECK(dp_dma_modelled_cycles() == cycles0, "bad shapes cost cycles");
  dp_dma_clear_errors();
  CHECK(dp_dma_errors() == 0u, "errors not cleared");

  /* Unmapped source (between the test device and the CLINT). */
  dp_dma_shape s64 = shape_1d(64u);
  memset(plain, 0x44, 64);
  dp_dma_start(&g, plain, (const void *)0x01000000u, &s64);
  dp_dma_wait(&g);
  CHECK(dp_dma_errors() == DP_DMA_STATUS_ERR_BUS, "unmapped source: errors %#lx", (unsigned long)dp_dma_errors());
  dp_dma_clear_errors();

  /* A shape at an unmapped address: ERR_BUS, nothing queued. */
  const uint32_t transfers_before_shape = dp_dma_transfers();
  dp_dma_start(&g, plain, fast, (const dp_dma_shape *)0x01000000u);
  CHECK(dp_dma_errors() == DP_DMA_STATUS_ERR_BUS, "unreadable shape: errors %#lx", (unsigned long)dp_dma_errors());
  CHECK(dp_dma_transfers() == transfers_before_shape, "a transfer with an unreadable shape was queued");
  dp_dma_clear_errors();

  /* Into the DMA's own START and SETUP registers: ignored. */
  static const uint32_t words[2] = {1u, 12345u};
  dp_dma_shape s4 = shape_1d(4u);
  const uint32_t transfers1 = dp_dma_transfers();
  dp_dma_start(&g, (void *)(uintptr_t)(DP_DMA_BASE + DP_DMA_START), words, &s4);
  dp_dma_start(&g, (void *)(uintptr_t)(DP_DMA_BASE + DP_DMA_SETUP_CYCLES), words + 1, &s4);
  dp_dma_wait(&g);
  CHECK(dp_dma_transfers() == transfers1 + 2u, "a transfer into START queued one: %lu",
        (unsigned long)(dp_dma_transfers() - transfers1));
  CHECK(DP_DMA_REG(DP_DMA_SETUP_CYCLES) == SETUP, "a transfer into SETUP_CYCLES changed it");
  CHECK(dp_dma_errors() == 0u, "errors %#lx after transfers into the registers", (unsigned long)dp_dma_errors());

  /* A full queue, programmed directly: a slow transfer, then zero-byte ones behind it fill the queue. */
  const uint32_t depth = DP_DMA_REG(DP_DMA_QUEUE_DEPTH);
  fill(slow, sizeof slow, 8u);
  DP_DMA_REG(DP_DMA_DST) = (uint32_t)(uintptr_t)plain;
  DP_DMA_REG(DP_DMA_SRC) = (uint32_t)(uintptr_t)slow;
  DP_DMA_REG(DP_DMA_RUN_BYTES) = sizeof slow;
  DP_DMA_REG(DP_DMA_ROWS) = 1u;
  DP_DMA_REG(DP_DMA_PLANES) = 1u;
  DP_DMA_REG(DP_DMA_START) = 1u;
  DP_DMA_REG(DP_DMA_RUN_BYTES) = 0u;
  for (uint32_t k = 1; k < depth; ++k) DP_DMA_REG(DP_DMA_START) = 1u;
  const uint32_t free_slots = DP_DMA_REG(DP_DMA_QUEUE_FREE), before_full = dp_dma_transfers();
  if (free_slots == 0u) {
    DP_DMA_REG(DP_DMA_START) = 1u;
    CHECK(dp_dma_errors() == DP_DMA_STATUS_ERR_FULL, "START on a full queue: errors %#lx", (unsigned long)dp_dma_errors());
    CHECK(dp_dma_transfers() == before_full, "START on a full queue was accepted");
  } else {
    CHECK(mode == MODE_REAL, "%lu free slots after filling the queue", (unsigned long)free_slots);
    printf("note: without -icount the slow transfer completed while filling the queue; full queue not checked\n");
  }
  g.started = dp_dma_transfers();
  dp_dma_wait(&g);
  CHECK(memcmp(plain, slow, sizeof slow) == 0, "slow transfer before the full queue differs");
  dp_dma_clear_errors();
  phase_done("errors");
}

/* START_LIST: a table's transfers start in table order, as one dp_dma_start each would (the third reads
 * what the first wrote); a list longer than the queue is started in parts by the driver; more entries
 * than free slots start none (ERR_FULL) and an unreadable table starts none (ERR_BUS). */
static void test_start_list(void) {
  static const dp_dma_shape rows_of_16 = {16u, 4u, 1u, 64u, 16u, 0u, 0u}; /* 4 rows of 16 B, packed */
  const dp_dma_shape run = shape_1d(100u);
  const dp_dma_request list[3] = {{plain, fast + 7u, &run}, {plain + 200u, fast + 1000u, &rows_of_16}, {plain + 300u, plain, &run}};
  dp_dma_group g = {0u};
  fill(fast, sizeof fast, 31u);
  memset(plain, 0, 4096u);
  memcpy(reference, plain, 4096u);
  reference_copy(reference, fast + 7u, &run);
  reference_copy(reference + 200u, fast + 1000u, &rows_of_16);
  reference_copy(reference + 300u, reference, &run);
  const uint32_t transfers0 = dp_dma_transfers();
  dp_dma_start_list(&g, list, 3u);
  CHECK(g.started == transfers0 + 3u, "the group waits for id %lu, not the list's last %lu", (unsigned long)g.started,
        (unsigned long)(transfers0 + 3u));
  dp_dma_wait(&g);
  CHECK(memcmp(plain, reference, 4096u) == 0, "a list's transfers differ from the same starts one by one");

  enum { MANY = 45 };
  static dp_dma_request many[MANY];
  const dp_dma_shape eight = shape_1d(8u);
  for (uint32_t k = 0; k < MANY; ++k) many[k] = (dp_dma_request){plain + 8u * k, fast + 3u * k, &eight};
  memset(plain, 0, 8u * MANY);
  const uint32_t transfers1 = dp_dma_transfers();
  dp_dma_start_list(&g, many, MANY);
  dp_dma_wait(&g);
  CHECK(dp_dma_transfers() - transfers1 == MANY, "a list of %d started %lu transfers", MANY,
        (unsigned long)(dp_dma_transfers() - transfers1));
  int wrong = 0;
  for (uint32_t k = 0; k < MANY; ++k) wrong |= memcmp(plain + 8u * k, fast + 3u * k, 8u) != 0;
  CHECK(!wrong, "a list longer than the queue moved other bytes");
  CHECK(dp_dma_errors() == 0u, "lists set errors %#lx", (unsigned long)dp_dma_errors());

  const uint32_t transfers2 = dp_dma_transfers();
  DP_DMA_REG(DP_DMA_LIST_COUNT) = DP_DMA_REG(DP_DMA_QUEUE_DEPTH) + 1u;
  DP_DMA_REG(DP_DMA_START_LIST) = (uint32_t)(uintptr_t)many;
  CHECK(dp_dma_errors() == DP_DMA_STATUS_ERR_FULL, "a list longer than the queue: errors %#lx", (unsigned long)dp_dma_errors());
  CHECK(dp_dma_transfers() == transfers2, "a list longer than the queue started transfers");
  dp_dma_clear_errors();
  DP_DMA_REG(DP_DMA_LIST_COUNT) = 2u;
  DP_DMA_REG(DP_DMA_START_LIST) = 0x01000000u; /* unmapped */
  CHECK(dp_dma_errors() == DP_DMA_STATUS_ERR_BUS, "an unreadable list: errors %#lx", (unsigned long)dp_dma_errors());
  CHECK(dp_dma_transfers() == transfers2, "an unreadable list started transfers");
  dp_dma_clear_errors();
  phase_done("start_list");
}

/* Fork/join while transfers are pending: the device's wake-ups of hart 0 and the helpers' (the same
 * MSIP) do not disturb each other. */
static volatile uint32_t job_sums[64];
static void sum_job(void *arg, int job, int jobs) {
  const uint8_t *data = (const uint8_t *)arg;
  const uint32_t share = 65536u / (uint32_t)jobs;
  uint32_t sum = 0;
  for (uint32_t i = (uint32_t)job * share; i < (uint32_t)(job + 1) * share; ++i) sum += data[i] * (i & 7u);
  job_sums[job] = sum;
}

static void test_with_fork_join(void) {
  uint32_t expected = 0;
  fill(plain, 65536u, 9u);
  for (uint32_t i = 0; i < 65536u; ++i) expected += plain[i] * (i & 7u);
  for (int round = 0; round < 6; ++round) {
    dp_dma_group g = {0u}, h = {0u};
    dp_dma_shape s = shape_1d(60000u), t = {200u, 50u, 2u, 256u, 200u, 20000u, 10000u};
    fill(fast, 120000u, (uint32_t)round);
    dp_dma_start(&g, mid, fast, &s);            /* 20 + 15000 cycles */
    dp_dma_start(&h, mid + 65536u, fast + 60000u, &t); /* 20 + 5000 */
    for (int k = 0; k < 4; ++k) {
      const int jobs = 4 * cores;
      uint32_t total = 0;
      dp_parallel(sum_job, plain, jobs);
      for (int j = 0; j < jobs; ++j) total += job_sums[j];
      CHECK(total == expected, "round %d: parallel sum %lu, expected %lu", round, (unsigned long)total,
            (unsigned long)expected);
    }
    if (round & 1) {
      dp_dma_wait(&h);
      dp_dma_wait(&g);
    } else {
      dp_dma_wait(&g);
      dp_dma_wait(&h);
    }
    CHECK(memcmp(mid, fast, 60000u) == 0, "round %d: transfer during fork/join differs", round);
    reference_copy(reference, fast + 60000u, &t);
    CHECK(memcmp(mid + 65536u, reference, 20000u) == 0, "round %d: 3-D transfer during fork/join differs", round);
  }
  phase_done("fork_join");
}

static void parse_command_line(void) {
  char line[128] = {0};
  if (sys_semihost_get_cmdline(line, sizeof line - 1) != 0) return;
  char *word = strtok(line, " ");     /* the program's name */
  if (word && (word = strtok(NULL, " "))) cores = atoi(word);
  if (word && (word = strtok(NULL, " "))) {
    mode = strcmp(word, "exact") == 0 ? MODE_EXACT : strcmp(word, "icount") == 0 ? MODE_ICOUNT : MODE_REAL;
  }
  if (cores < 1 || cores > DP_MAX_HARTS) cores = 1;
}

int main(void) {
  parse_command_line();
  dp_cluster_start(cores);
  configure_standard(SETUP);
  printf("dma_test: %d hart(s), mode %s\n", cores, mode == MODE_EXACT ? "exact" : mode == MODE_ICOUNT ? "icount" : "real");
  test_registers();
  test_1d();
  test_2d_3d();
  test_shapes();
  test_many();
  test_group_order();
  test_not_before_completion();
  test_counters();
  test_timing();
  test_wake_at();
  test_zero_bytes();
  test_errors();
  test_start_list();
  test_with_fork_join();
  printf("dma_test: %d transfers, %llu bytes, %llu modelled cycles, %d failure(s)\n", (int)dp_dma_transfers(),
         (unsigned long long)dp_dma_bytes(), (unsigned long long)dp_dma_modelled_cycles(), failures);
  return failures ? 1 : 0;
}
