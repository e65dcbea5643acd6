/* Advanced SIMD forms that gcc's auto-vectoriser, glibc and libstdc++ emit, through
   arm_neon.h and plain loops at -O3, on varied inputs (NaN, infinities, -0, denormals,
   ties, saturation edges, values near 2^31 and 2^63): one hash per group of results, so
   any lane that differs from the hardware shows, and the group says where. */
#include <arm_neon.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N 256
static uint64_t seed = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void) { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed; }

static uint64_t H = 0xcbf29ce484222325ULL;
static void mix(const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++) H = (H ^ b[i]) * 0x100000001b3ULL;
}
/* -DTRACE prints the hash after every result, to find the one that differs */
#ifdef TRACE
#define MIX(v) do { __typeof__(v) t_ = (v); mix(&t_, sizeof t_); printf("%d %016llx\n", __LINE__, (unsigned long long)H); } while (0)
#else
#define MIX(v) do { __typeof__(v) t_ = (v); mix(&t_, sizeof t_); } while (0)
#endif
static void group(const char *name) {
  printf("%-12s %016llx\n", name, (unsigned long long)H);
  H = 0xcbf29ce484222325ULL;
}

static float F[N + 16];
static double D[N + 16];
static int8_t S8[N + 64];
static uint8_t U8[N + 64];
static int16_t S16[N + 32];
static uint16_t U16[N + 32];
static int32_t S32[N + 16];
static uint32_t U32[N + 16];
static int64_t S64[N + 16];
static uint64_t U64[N + 16];

static const double SPECIAL[] = {
  0.0, -0.0, INFINITY, -INFINITY, NAN, -NAN, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, -1e-310, 1e-40,
  2147483647.0, 2147483648.0, -2147483648.0, -2147483649.0, 2147483647.5, 4294967295.0, 4294967296.0, 4294967295.5,
  9223372036854775807.0, 9.223372036854775e18, -9223372036854775808.0, -9.3e18, 1.8446744073709552e19, 1.8e19,
  1e30, -1e30, 3.4028234663852886e38, 1e300, -7.25, 0.49999999999999994, -0.49999999999999994, 4503599627370497.0,
  8388609.0, 8388608.5, -8388608.5, 16777217.0, 1.0, -1.0, 255.5, 65535.5, -65536.5, 123456.75, 1e-45, -0.75,
};
#define NSPECIAL (sizeof SPECIAL / sizeof SPECIAL[0])

__attribute__((noinline)) static void fill(void) {
  for (int i = 0; i < N + 16; i++) {
    uint64_t r = rnd();
    double d;
    if (i % 3 == 0) d = SPECIAL[(r >> 8) % NSPECIAL];
    else d = ldexp((double)(int64_t)(rnd() >> 1) / 4611686018427387904.0, (int)(r % 80) - 40);
    D[i] = d;
    F[i] = (float)d;
  }
  /* a signalling NaN in each: Arm quietens it, and prefers it to a quiet one */
  uint64_t snan = 0x7ff4000000000001ULL;
  uint32_t snanf = 0x7fa00001;
  memcpy(&D[7], &snan, 8);
  memcpy(&F[11], &snanf, 4);
  for (int i = 0; i < N + 64; i++) {
    uint64_t r = rnd();
    int8_t edge8[] = {127, -128, 0, -1, 1, 126, -127, 64, -64};
    S8[i] = i % 4 == 0 ? edge8[r % 9] : (int8_t)r;
    U8[i] = i % 4 == 0 ? (uint8_t)edge8[r % 9] : (uint8_t)(r >> 8);
  }
  for (int i = 0; i < N + 32; i++) {
    uint64_t r = rnd();
    int16_t edge16[] = {32767, -32768, 0, -1, 1, 32766, -32767, 16384, -16384, 255, 256, -129};
    S16[i] = i % 4 == 0 ? edge16[r % 12] : (int16_t)r;
    U16[i] = i % 4 == 0 ? (uint16_t)edge16[r % 12] : (uint16_t)(r >> 16);
  }
  for (int i = 0; i < N + 16; i++) {
    uint64_t r = rnd();
    int32_t edge32[] = {INT32_MAX, INT32_MIN, 0, -1, 1, INT32_MAX - 1, INT32_MIN + 1, 65535, 65536, -32769, 1 << 30};
    int64_t edge64[] = {INT64_MAX, INT64_MIN, 0, -1, 1, INT64_MAX - 1, INT64_MIN + 1, 1LL << 62, INT32_MAX, INT32_MIN};
    S32[i] = i % 4 == 0 ? edge32[r % 11] : (int32_t)r;
    U32[i] = i % 4 == 0 ? (uint32_t)edge32[r % 11] : (uint32_t)(r >> 32);
    S64[i] = i % 4 == 0 ? edge64[r % 10] : (int64_t)rnd();
    U64[i] = i % 4 == 0 ? (uint64_t)edge64[r % 10] : rnd();
  }
}

/* ---- floating point by element, and fmulx ---- */
__attribute__((noinline)) static void fp_by_element(void) {
  for (int i = 0; i + 8 <= N; i += 3) {
    float32x4_t a = vld1q_f32(&F[i]), b = vld1q_f32(&F[i + 4]), c = vld1q_f32(&F[i + 8]);
    float32x2_t h = vld1_f32(&F[i + 2]);
    float64x2_t da = vld1q_f64(&D[i]), db = vld1q_f64(&D[i + 2]), dc = vld1q_f64(&D[i + 4]);
    MIX(vmulq_laneq_f32(a, b, 0)); MIX(vmulq_laneq_f32(a, b, 3)); MIX(vmulq_lane_f32(a, h, 1));
    MIX(vmul_lane_f32(vget_low_f32(a), h, 0)); MIX(vmul_laneq_f32(vget_high_f32(a), b, 2));
    MIX(vfmaq_laneq_f32(c, a, b, 1)); MIX(vfmsq_laneq_f32(c, a, b, 2)); MIX(vfma_lane_f32(vget_low_f32(c), vget_low_f32(a), h, 1));
    MIX(vfms_laneq_f32(vget_high_f32(c), vget_low_f32(a), b, 3));
    MIX(vmulq_laneq_f64(da, db, 1)); MIX(vfmaq_laneq_f64(dc, da, db, 0)); MIX(vfmsq_laneq_f64(dc, da, db, 1));
    MIX(vmulxq_laneq_f32(a, b, 2)); MIX(vmulxq_f32(a, b)); MIX(vmulx_f32(vget_low_f32(a), h)); MIX(vmulxq_f64(da, db));
    MIX(vmulxq_laneq_f64(da, db, 1));
    MIX(vmuls_laneq_f32(F[i + 1], b, 3)); MIX(vmuld_laneq_f64(D[i + 1], db, 1));
    MIX(vfmas_laneq_f32(F[i + 5], F[i + 1], b, 1)); MIX(vfmad_laneq_f64(D[i + 5], D[i + 1], db, 0));
    MIX(vfmss_laneq_f32(F[i + 5], F[i + 1], b, 2)); MIX(vfmsd_laneq_f64(D[i + 5], D[i + 1], db, 1));
    MIX(vmulxs_f32(F[i], F[i + 1])); MIX(vmulxd_f64(D[i], D[i + 1])); MIX(vmulxs_laneq_f32(F[i], b, 1)); MIX(vmulxd_laneq_f64(D[i], db, 0));
  }
  /* fmulx: 0 * inf is 2 with the sign of the product */
  float32x4_t z = {0.0f, -0.0f, INFINITY, -INFINITY}, inf = {INFINITY, INFINITY, 0.0f, -0.0f};
  MIX(vmulxq_f32(z, inf));
  group("fp-elem");
}

/* ---- integer by element ---- */
__attribute__((noinline)) static void int_by_element(void) {
  for (int i = 0; i + 16 <= N; i += 5) {
    int16x8_t a = vld1q_s16(&S16[i]), b = vld1q_s16(&S16[i + 8]), c = vld1q_s16(&S16[i + 16]);
    int32x4_t a4 = vld1q_s32(&S32[i]), b4 = vld1q_s32(&S32[i + 4]), c4 = vld1q_s32(&S32[i + 8]);
    uint16x8_t ua = vld1q_u16(&U16[i]), ub = vld1q_u16(&U16[i + 8]);
    uint32x4_t ua4 = vld1q_u32(&U32[i]), ub4 = vld1q_u32(&U32[i + 4]), uc4 = vld1q_u32(&U32[i + 8]);
    int16x4_t h = vld1_s16(&S16[i + 3]);
    MIX(vmulq_laneq_s16(a, b, 7)); MIX(vmulq_lane_s16(a, h, 2)); MIX(vmulq_laneq_s32(a4, b4, 1)); MIX(vmul_laneq_s16(vget_low_s16(a), b, 4));
    MIX(vmlaq_laneq_s16(c, a, b, 3)); MIX(vmlsq_laneq_s16(c, a, b, 5)); MIX(vmlaq_laneq_s32(c4, a4, b4, 2)); MIX(vmlsq_laneq_s32(c4, a4, b4, 0));
    MIX(vmull_laneq_s16(vget_low_s16(a), b, 6)); MIX(vmull_high_laneq_s16(a, b, 1)); MIX(vmull_laneq_s32(vget_low_s32(a4), b4, 3));
    MIX(vmull_laneq_u16(vget_low_u16(ua), ub, 2)); MIX(vmull_high_laneq_u32(ua4, ub4, 3)); MIX(vmull_laneq_u32(vget_high_u32(ua4), ub4, 0));
    MIX(vmlal_laneq_s16(c4, vget_low_s16(a), b, 5)); MIX(vmlal_high_laneq_s16(c4, a, b, 0)); MIX(vmlsl_laneq_s16(c4, vget_high_s16(a), b, 7));
    MIX(vmlal_laneq_u16(uc4, vget_low_u16(ua), ub, 1)); MIX(vmlsl_high_laneq_u16(uc4, ua, ub, 4));
    MIX(vmlal_laneq_s32(vld1q_s64(&S64[i]), vget_low_s32(a4), b4, 2)); MIX(vmlal_laneq_u32(vld1q_u64(&U64[i]), vget_low_u32(ua4), ub4, 1));
    MIX(vqdmulhq_laneq_s16(a, b, 3)); MIX(vqdmulhq_laneq_s32(a4, b4, 1)); MIX(vqrdmulhq_laneq_s16(a, b, 2)); MIX(vqrdmulhq_laneq_s32(a4, b4, 0));
    MIX(vqdmulhq_s16(a, b)); MIX(vqdmulhq_s32(a4, b4)); MIX(vqrdmulhq_s16(a, b)); MIX(vqrdmulhq_s32(a4, b4));
    MIX(vqdmulh_lane_s16(vget_low_s16(a), h, 3));
  }
  int16x8_t m = vdupq_n_s16(-32768);
  MIX(vqdmulhq_laneq_s16(m, m, 0)); MIX(vqrdmulhq_s16(m, m));
  group("int-elem");
}

/* ---- single-lane and replicating loads and stores ---- */
__attribute__((noinline)) static void lanes(void) {
  uint8_t out[64];
  for (int i = 0; i + 64 <= N; i += 7) {
    memset(out, 0xa5, sizeof out);
    int8x16_t a = vld1q_s8(&S8[i]);
    int16x8_t b = vld1q_s16(&S16[i]);
    float32x4_t c = vld1q_f32(&F[i]);
    float64x2_t d = vld1q_f64(&D[i]);
    MIX(vld1q_lane_s8(&S8[i + 40], a, 13)); MIX(vld1q_lane_s16(&S16[i + 3], b, 5)); MIX(vld1q_lane_f32(&F[i + 9], c, 2));
    MIX(vld1q_lane_f64(&D[i + 9], d, 1)); MIX(vld1q_lane_s64(&S64[i + 1], vld1q_s64(&S64[i]), 0)); MIX(vld1_lane_s32(&S32[i + 2], vld1_s32(&S32[i]), 1));
    MIX(vld1q_dup_s8(&S8[i + 1])); MIX(vld1q_dup_s16(&S16[i + 1])); MIX(vld1q_dup_f32(&F[i + 1])); MIX(vld1q_dup_f64(&D[i + 1]));
    MIX(vld1_dup_u16(&U16[i + 5])); MIX(vld1_dup_s64(&S64[i + 5]));
    MIX(vld2q_dup_s8(&S8[i + 2])); MIX(vld3q_dup_s16(&S16[i + 2])); MIX(vld4q_dup_f32(&F[i + 2])); MIX(vld2q_dup_f64(&D[i + 2]));
    MIX(vld4_dup_u8(&U8[i + 3])); MIX(vld3_dup_u32(&U32[i + 3]));
    int16x8x2_t b2 = {{b, vld1q_s16(&S16[i + 8])}};
    float32x4x3_t c3 = {{c, vld1q_f32(&F[i + 4]), vld1q_f32(&F[i + 8])}};
    uint8x16x4_t u4 = {{vld1q_u8(&U8[i]), vld1q_u8(&U8[i + 16]), vld1q_u8(&U8[i + 32]), vld1q_u8(&U8[i + 48])}};
    MIX(vld2q_lane_s16(&S16[i + 20], b2, 6)); MIX(vld3q_lane_f32(&F[i + 20], c3, 1)); MIX(vld4q_lane_u8(&U8[i + 1], u4, 9));
    MIX(vld2q_lane_f64(&D[i + 3], ((float64x2x2_t){{d, d}}), 1)); MIX(vld4q_lane_s32(&S32[i + 3], ((int32x4x4_t){{vld1q_s32(&S32[i]), vld1q_s32(&S32[i + 4]), vld1q_s32(&S32[i + 8]), vld1q_s32(&S32[i + 12])}}), 3));
    vst1q_lane_s8((int8_t *)&out[1], a, 15); vst1q_lane_s16((int16_t *)&out[3], b, 7); vst1q_lane_f32((float *)&out[8], c, 3);
    vst1q_lane_f64((double *)&out[16], d, 1); vst1_lane_u8(&out[63], vget_low_u8(u4.val[1]), 6);
    vst2q_lane_s16((int16_t *)&out[24], b2, 4); vst3q_lane_f32((float *)&out[28], c3, 2); vst4q_lane_u8(&out[40], u4, 12);
    vst4q_lane_s32((int32_t *)&out[44], ((int32x4x4_t){{vld1q_s32(&S32[i]), vld1q_s32(&S32[i + 4]), vld1q_s32(&S32[i + 8]), vld1q_s32(&S32[i + 12])}}), 0);
    mix(out, sizeof out);
  }
  /* post-indexed: a pointer walking by the element, and by a register */
  uint16_t acc16[8] = {0};
  uint16x8_t v = vld1q_u16(acc16);
  const uint16_t *p = U16;
  for (int i = 0; i < 64; i++) {
    uint16x8_t r;
    __asm__ volatile("ld1r {%0.8h}, [%1], #2" : "=w"(r), "+r"(p));
    v = vaddq_u16(v, r);
    __asm__ volatile("ld1 {%0.h}[3], [%1], %2" : "+w"(v), "+r"(p) : "r"((long)4));
    MIX(v);
  }
  uint32_t sink[40];
  uint32_t *q = sink;
  uint32x4_t w4 = vld1q_u32(U32);
  for (int i = 0; i < 10; i++) {
    __asm__ volatile("st1 {%1.s}[2], [%0], #4" : "+r"(q) : "w"(w4) : "memory");
    __asm__ volatile("st2 {%1.s, %2.s}[1], [%0], #8" : "+r"(q) : "w"(w4), "w"(vaddq_u32(w4, w4)) : "memory");
    w4 = vaddq_u32(w4, vdupq_n_u32(0x01010101));
  }
  mix(sink, (size_t)((char *)q - (char *)sink));
  /* whole registers, post-indexed by the size and by a register */
  const uint8_t *r8 = U8;
  uint8x16_t s8 = vdupq_n_u8(0);
  for (int i = 0; i < 6; i++) {
    register uint8x16_t t0 __asm__("v16"), t1 __asm__("v17");
    __asm__ volatile("ld1 {%0.16b, %1.16b}, [%2], #32" : "=w"(t0), "=w"(t1), "+r"(r8));
    s8 = veorq_u8(s8, vaddq_u8(t0, t1));
    __asm__ volatile("ld2 {%0.8h, %1.8h}, [%2], %3" : "=w"(t0), "=w"(t1), "+r"(r8) : "r"((long)6));
    s8 = vaddq_u8(s8, vsubq_u8(t0, t1));
  }
  MIX(s8);
  MIX((long)(r8 - U8));
  group("lanes");
}

/* ---- table lookups and permutes ---- */
__attribute__((noinline)) static void permutes(void) {
  for (int i = 0; i + 64 <= N; i += 9) {
    uint8x16_t t0 = vld1q_u8(&U8[i]), t1 = vld1q_u8(&U8[i + 16]), t2 = vld1q_u8(&U8[i + 32]), t3 = vld1q_u8(&U8[i + 48]);
    uint8x16_t idx = vandq_u8(vld1q_u8(&U8[i + 3]), vdupq_n_u8(i & 1 ? 0x7f : 0x3f));
    uint8x16_t raw = vld1q_u8(&U8[i + 5]);
    MIX(vqtbl1q_u8(t0, idx)); MIX(vqtbl2q_u8((uint8x16x2_t){{t0, t1}}, idx)); MIX(vqtbl3q_u8((uint8x16x3_t){{t0, t1, t2}}, idx));
    MIX(vqtbl4q_u8((uint8x16x4_t){{t0, t1, t2, t3}}, idx)); MIX(vqtbl4q_u8((uint8x16x4_t){{t0, t1, t2, t3}}, raw));
    MIX(vqtbx1q_u8(t3, t0, idx)); MIX(vqtbx2q_u8(t3, (uint8x16x2_t){{t0, t1}}, raw)); MIX(vqtbx3q_u8(t2, (uint8x16x3_t){{t0, t1, t3}}, idx));
    MIX(vqtbx4q_u8(t1, (uint8x16x4_t){{t0, t1, t2, t3}}, raw));
    MIX(vqtbl1_u8(t0, vget_low_u8(idx))); MIX(vqtbx2_u8(vget_high_u8(t3), (uint8x16x2_t){{t0, t1}}, vget_low_u8(raw)));
    MIX(vtbl1_u8(vget_low_u8(t0), vget_high_u8(idx))); MIX(vtbx1_u8(vget_low_u8(t2), vget_low_u8(t0), vget_high_u8(idx)));
    int16x8_t a = vld1q_s16(&S16[i]), b = vld1q_s16(&S16[i + 8]);
    int32x4_t c = vld1q_s32(&S32[i]), d = vld1q_s32(&S32[i + 4]);
    int64x2_t e = vld1q_s64(&S64[i]), f = vld1q_s64(&S64[i + 2]);
    MIX(vzip1q_u8(t0, t1)); MIX(vzip2q_u8(t0, t1)); MIX(vzip1q_s16(a, b)); MIX(vzip2q_s16(a, b)); MIX(vzip1q_s32(c, d)); MIX(vzip2q_s32(c, d));
    MIX(vzip1q_s64(e, f)); MIX(vzip2q_s64(e, f)); MIX(vzip1_u8(vget_low_u8(t0), vget_high_u8(t1))); MIX(vzip2_s16(vget_low_s16(a), vget_high_s16(b)));
    MIX(vzip1_s32(vget_low_s32(c), vget_high_s32(d))); MIX(vzip2_s32(vget_low_s32(c), vget_high_s32(d)));
    MIX(vtrn1q_u8(t0, t1)); MIX(vtrn2q_u8(t0, t1)); MIX(vtrn1q_s16(a, b)); MIX(vtrn2q_s16(a, b)); MIX(vtrn1q_s32(c, d)); MIX(vtrn2q_s32(c, d));
    MIX(vtrn1q_s64(e, f)); MIX(vtrn2q_s64(e, f)); MIX(vtrn1_u8(vget_low_u8(t0), vget_high_u8(t1))); MIX(vtrn2_s16(vget_low_s16(a), vget_high_s16(b)));
    MIX(vuzp1q_s16(a, b)); MIX(vuzp2_u8(vget_low_u8(t0), vget_high_u8(t1)));
  }
  group("permute");
}

/* ---- FP to integer in each rounding mode ---- */
__attribute__((noinline)) static void conversions(void) {
  for (int i = 0; i + 4 <= N + 16; i += 2) {
    float32x4_t a = vld1q_f32(&F[i]);
    float64x2_t d = vld1q_f64(&D[i]);
    MIX(vcvtaq_s32_f32(a)); MIX(vcvtaq_u32_f32(a)); MIX(vcvtnq_s32_f32(a)); MIX(vcvtnq_u32_f32(a));
    MIX(vcvtpq_s32_f32(a)); MIX(vcvtpq_u32_f32(a)); MIX(vcvtmq_s32_f32(a)); MIX(vcvtmq_u32_f32(a));
    MIX(vcvtq_s32_f32(a)); MIX(vcvtq_u32_f32(a)); MIX(vcvta_s32_f32(vget_low_f32(a))); MIX(vcvtn_u32_f32(vget_high_f32(a)));
    MIX(vcvtaq_s64_f64(d)); MIX(vcvtaq_u64_f64(d)); MIX(vcvtnq_s64_f64(d)); MIX(vcvtnq_u64_f64(d));
    MIX(vcvtpq_s64_f64(d)); MIX(vcvtpq_u64_f64(d)); MIX(vcvtmq_s64_f64(d)); MIX(vcvtmq_u64_f64(d));
    MIX(vrndaq_f32(a)); MIX(vrndaq_f64(d)); MIX(vrndnq_f32(a)); MIX(vrndpq_f64(d)); MIX(vrndmq_f32(a)); MIX(vrndq_f64(d));
    MIX(vcvtas_s32_f32(F[i])); MIX(vcvtas_u32_f32(F[i])); MIX(vcvtad_s64_f64(D[i])); MIX(vcvtad_u64_f64(D[i]));
    MIX(vcvtns_s32_f32(F[i])); MIX(vcvtnd_u64_f64(D[i])); MIX(vcvtps_s32_f32(F[i])); MIX(vcvtpd_u64_f64(D[i]));
    MIX(vcvtms_u32_f32(F[i])); MIX(vcvtmd_s64_f64(D[i]));
    MIX(roundf(F[i + 3])); MIX(round(D[i + 3]));
    /* libm: lround is fcvtas, round is frinta, lrint is frintx then fcvtzs */
    MIX(lround(D[i])); MIX(lroundf(F[i])); MIX(round(D[i + 1])); MIX(roundf(F[i + 1])); MIX(lrint(D[i + 2])); MIX(llrintf(F[i + 2]));
    MIX(nearbyint(D[i + 3])); MIX(rint(D[i]));
  }
  group("convert");
}

/* ---- saturating arithmetic, narrowing ---- */
__attribute__((noinline)) static void saturating(void) {
  for (int i = 0; i + 32 <= N; i += 3) {
    int8x16_t a8 = vld1q_s8(&S8[i]), b8 = vld1q_s8(&S8[i + 16]);
    uint8x16_t c8 = vld1q_u8(&U8[i]), d8 = vld1q_u8(&U8[i + 16]);
    int16x8_t a16 = vld1q_s16(&S16[i]), b16 = vld1q_s16(&S16[i + 8]);
    uint16x8_t c16 = vld1q_u16(&U16[i]), d16 = vld1q_u16(&U16[i + 8]);
    int32x4_t a32 = vld1q_s32(&S32[i]), b32 = vld1q_s32(&S32[i + 4]);
    uint32x4_t c32 = vld1q_u32(&U32[i]), d32 = vld1q_u32(&U32[i + 4]);
    int64x2_t a64 = vld1q_s64(&S64[i]), b64 = vld1q_s64(&S64[i + 2]);
    uint64x2_t c64 = vld1q_u64(&U64[i]), d64 = vld1q_u64(&U64[i + 2]);
    MIX(vqaddq_s8(a8, b8)); MIX(vqaddq_u8(c8, d8)); MIX(vqsubq_s8(a8, b8)); MIX(vqsubq_u8(c8, d8));
    MIX(vqaddq_s16(a16, b16)); MIX(vqaddq_u16(c16, d16)); MIX(vqsubq_s16(a16, b16)); MIX(vqsubq_u16(c16, d16));
    MIX(vqaddq_s32(a32, b32)); MIX(vqaddq_u32(c32, d32)); MIX(vqsubq_s32(a32, b32)); MIX(vqsubq_u32(c32, d32));
    MIX(vqaddq_s64(a64, b64)); MIX(vqaddq_u64(c64, d64)); MIX(vqsubq_s64(a64, b64)); MIX(vqsubq_u64(c64, d64));
    MIX(vqadd_s8(vget_low_s8(a8), vget_high_s8(b8))); MIX(vqsub_u16(vget_low_u16(c16), vget_high_u16(d16)));
    MIX(vqadds_s32(S32[i], S32[i + 1])); MIX(vqaddd_u64(U64[i], U64[i + 1])); MIX(vqsubh_s16(S16[i], S16[i + 1])); MIX(vqsubb_u8(U8[i], U8[i + 1]));
    MIX(vqaddd_s64(S64[i], S64[i + 1])); MIX(vqsubs_u32(U32[i], U32[i + 1]));
    MIX(vqmovn_s16(a16)); MIX(vqmovn_u16(c16)); MIX(vqmovun_s16(a16)); MIX(vqmovn_s32(a32)); MIX(vqmovn_u32(c32)); MIX(vqmovun_s32(a32));
    MIX(vqmovn_s64(a64)); MIX(vqmovn_u64(c64)); MIX(vqmovun_s64(a64));
    MIX(vqmovn_high_s16(vget_low_s8(a8), b16)); MIX(vqmovun_high_s32(vget_low_u16(c16), b32)); MIX(vqmovn_high_u64(vget_low_u32(c32), d64));
    MIX(vqshrn_n_s16(a16, 3)); MIX(vqshrn_n_u16(c16, 1)); MIX(vqshrn_n_s32(a32, 9)); MIX(vqshrn_n_u32(c32, 16)); MIX(vqshrn_n_s64(a64, 20));
    MIX(vqrshrn_n_s16(a16, 3)); MIX(vqrshrn_n_u16(c16, 8)); MIX(vqrshrn_n_s32(a32, 1)); MIX(vqrshrn_n_u64(c64, 31));
    MIX(vqshrun_n_s16(a16, 2)); MIX(vqshrun_n_s32(a32, 7)); MIX(vqrshrun_n_s16(a16, 4)); MIX(vqrshrun_n_s64(a64, 32));
    MIX(vqshrn_high_n_s16(vget_low_s8(a8), b16, 5)); MIX(vqrshrn_high_n_u32(vget_low_u16(c16), d32, 12));
    MIX(vrshrn_n_s16(a16, 3)); MIX(vrshrn_n_u32(c32, 16)); MIX(vrshrq_n_s16(a16, 4)); MIX(vrshrq_n_u32(c32, 31)); MIX(vsraq_n_u16(c16, d16, 3)); MIX(vsraq_n_s32(a32, b32, 30));
    MIX(vabsq_s8(a8)); MIX(vnegq_s16(a16)); MIX(vqabsq_s8(a8)); MIX(vqnegq_s32(a32)); MIX(vabsq_s64(a64));
    MIX(vhaddq_s8(a8, b8)); MIX(vhaddq_u16(c16, d16)); MIX(vrhaddq_u8(c8, d8)); MIX(vrhaddq_s32(a32, b32)); MIX(vhsubq_s16(a16, b16));
    MIX(vabdq_s8(a8, b8)); MIX(vabdq_u16(c16, d16)); MIX(vabdq_s32(a32, b32)); MIX(vabaq_u8(c8, d8, c8)); MIX(vabdl_u8(vget_low_u8(c8), vget_high_u8(d8)));
    MIX(vmaxq_s8(a8, b8)); MIX(vminq_s16(a16, b16)); MIX(vmaxq_s32(a32, b32)); MIX(vminq_u32(c32, d32)); MIX(vtstq_s16(a16, b16));
    MIX(vshlq_s16(a16, vshrq_n_s16(b16, 12))); MIX(vshlq_u32(c32, vshrq_n_s32(b32, 26))); MIX(vshlq_s64(a64, vshrq_n_s64(b64, 57)));
    MIX(vmull_s8(vget_low_s8(a8), vget_high_s8(b8))); MIX(vmull_u16(vget_low_u16(c16), vget_high_u16(d16))); MIX(vmull_high_s32(a32, b32));
    MIX(vmlal_s16(a32, vget_low_s16(a16), vget_high_s16(b16))); MIX(vmlsl_high_u8(c16, c8, d8)); MIX(vpaddlq_s8(a8)); MIX(vpaddlq_u16(c16));
    MIX(vpadalq_u8(c16, d8)); MIX(vaddlvq_u8(c8)); MIX(vaddlvq_s16(a16)); MIX(vmaxvq_s8(a8)); MIX(vminvq_s32(a32)); MIX(vmaxvq_u16(c16));
    MIX(vclzq_s8(a8)); MIX(vclzq_u32(c32)); MIX(vclsq_s16(a16)); MIX(vrbitq_u8(c8)); MIX(vcntq_u8(c8));
    MIX(vqshlq_n_s8(a8, 3)); MIX(vqshlq_n_u16(c16, 5)); MIX(vqshluq_n_s32(a32, 2)); MIX(vsliq_n_u8(c8, d8, 3)); MIX(vsriq_n_u16(c16, d16, 5));
  }
  group("saturate");
}

/* ---- pairwise and across ---- */
__attribute__((noinline)) static void pairwise(void) {
  for (int i = 0; i + 16 <= N; i += 3) {
    float32x4_t a = vld1q_f32(&F[i]), b = vld1q_f32(&F[i + 4]);
    float64x2_t c = vld1q_f64(&D[i]), d = vld1q_f64(&D[i + 2]);
    int8x16_t s8 = vld1q_s8(&S8[i]), t8 = vld1q_s8(&S8[i + 16]);
    uint16x8_t u16 = vld1q_u16(&U16[i]), v16 = vld1q_u16(&U16[i + 8]);
    int32x4_t s32 = vld1q_s32(&S32[i]), t32 = vld1q_s32(&S32[i + 4]);
    int64x2_t s64 = vld1q_s64(&S64[i]), t64 = vld1q_s64(&S64[i + 2]);
    MIX(vpaddq_f32(a, b)); MIX(vpadd_f32(vget_low_f32(a), vget_high_f32(b))); MIX(vpaddq_f64(c, d));
    MIX(vpmaxq_f32(a, b)); MIX(vpminq_f32(a, b)); MIX(vpmaxq_f64(c, d)); MIX(vpminq_f64(c, d)); MIX(vpmax_f32(vget_low_f32(a), vget_high_f32(b)));
    MIX(vpmaxnmq_f32(a, b)); MIX(vpminnmq_f64(c, d));
    MIX(vpadds_f32(vget_low_f32(a))); MIX(vpaddd_f64(c)); MIX(vpmaxs_f32(vget_high_f32(b))); MIX(vpminqd_f64(d)); MIX(vpmaxnms_f32(vget_low_f32(b)));
    MIX(vaddvq_f32(a)); MIX(vaddvq_f64(c)); MIX(vmaxvq_f32(a)); MIX(vminvq_f32(b)); MIX(vmaxnmvq_f32(a)); MIX(vminnmvq_f32(b)); MIX(vmaxvq_f64(d));
    MIX(vpaddq_s8(s8, t8)); MIX(vpaddq_u16(u16, v16)); MIX(vpaddq_s32(s32, t32)); MIX(vpaddq_s64(s64, t64)); MIX(vpadd_s16(vget_low_s16(vreinterpretq_s16_s8(s8)), vget_high_s16(vreinterpretq_s16_s8(t8))));
    MIX(vpmaxq_s8(s8, t8)); MIX(vpminq_s8(s8, t8)); MIX(vpmaxq_u16(u16, v16)); MIX(vpminq_u16(u16, v16)); MIX(vpmaxq_s32(s32, t32)); MIX(vpminq_s32(s32, t32));
    MIX(vpmax_u8(vget_low_u8(vreinterpretq_u8_s8(s8)), vget_high_u8(vreinterpretq_u8_s8(t8)))); MIX(vpaddd_s64(s64)); MIX(vaddvq_s32(s32)); MIX(vaddvq_s8(s8));
  }
  group("pairwise");
}

/* ---- FP arithmetic with NaN operands, vector and scalar ---- */
__attribute__((noinline)) static void fp_vector(void) {
  for (int i = 0; i + 8 <= N; i += 3) {
    float32x4_t a = vld1q_f32(&F[i]), b = vld1q_f32(&F[i + 4]), c = vld1q_f32(&F[i + 2]);
    float64x2_t d = vld1q_f64(&D[i]), e = vld1q_f64(&D[i + 2]), f = vld1q_f64(&D[i + 5]);
    MIX(vaddq_f32(a, b)); MIX(vsubq_f32(a, b)); MIX(vmulq_f32(a, b)); MIX(vdivq_f32(a, b)); MIX(vmaxq_f32(a, b)); MIX(vminq_f32(a, b));
    MIX(vmaxnmq_f32(a, b)); MIX(vminnmq_f32(a, b)); MIX(vfmaq_f32(c, a, b)); MIX(vfmsq_f32(c, a, b)); MIX(vsqrtq_f32(a)); MIX(vabdq_f32(a, b));
    MIX(vaddq_f64(d, e)); MIX(vmulq_f64(d, e)); MIX(vdivq_f64(d, e)); MIX(vmaxnmq_f64(d, e)); MIX(vfmaq_f64(f, d, e)); MIX(vsqrtq_f64(d));
    MIX(fmax(D[i], D[i + 3])); MIX(fminf(F[i], F[i + 3]));
    MIX(vnegq_f32(a)); MIX(vabsq_f64(d)); MIX(vcvt_f64_f32(vget_low_f32(a))); MIX(vcvt_f32_f64(d)); MIX(vcvt_high_f32_f64(vget_low_f32(a), e));
    MIX(vcgeq_f32(a, b)); MIX(vcgtq_f64(d, e)); MIX(vceqq_f32(a, b)); MIX(vcleq_f32(a, b)); MIX(vcltzq_f32(a)); MIX(vceqzq_f64(d));
  }
  group("fp-vector");
}

/* ---- what gcc -O3 vectorises from plain loops ---- */
static float fa[N], fb[N], fc[N];
static double da[N], db[N];
static int8_t i8a[N], i8b[N];
static uint8_t u8o[2 * N];
static int16_t i16o[N];
static long lo[N];
static int io[N];
__attribute__((noinline)) static void loops(void) {
  for (int i = 0; i < N; i++) { fa[i] = F[i]; fb[i] = F[i + 1]; da[i] = D[i]; db[i] = D[i + 3]; i8a[i] = S8[i]; i8b[i] = S8[i + 5]; }
  for (int i = 0; i < N; i++) fc[i] = fa[i] * fb[i] + fc[i] * 0.5f;
  mix(fc, sizeof fc);
  for (int i = 0; i < N; i++) lo[i] = lround(da[i] * 1e-3);
  mix(lo, sizeof lo);
  for (int i = 0; i < N; i++) io[i] = (int)roundf(fa[i] * 0.01f);
  mix(io, sizeof io);
  for (int i = 0; i < N; i++) { int s = i8a[i] + i8b[i]; i16o[i] = (int16_t)(s > 127 ? 127 : s < -128 ? -128 : s); }
  mix(i16o, sizeof i16o);
  for (int i = 0; i < N; i++) { u8o[2 * i] = (uint8_t)i8a[i]; u8o[2 * i + 1] = (uint8_t)i8b[i]; }
  mix(u8o, sizeof u8o);
  for (int i = 0; i < N / 3; i++) { fc[i] = fa[3 * i] + 2 * fa[3 * i + 1] - fa[3 * i + 2]; }
  mix(fc, sizeof fc);
  for (int i = 0; i < N; i++) { int t = U8[i] + U8[i + 1]; u8o[i] = t > 255 ? 255 : t; }
  mix(u8o, sizeof u8o);
  double m = 0;
  for (int i = 0; i < N; i++) if (!isnan(da[i]) && fabs(da[i]) < 1e300) m += da[i] * db[i] * (isnan(db[i]) ? 0 : 1);
  MIX(m);
  group("loops");
}

int main(void) {
  fill();
  fp_by_element();
  int_by_element();
  lanes();
  permutes();
  conversions();
  saturating();
  pairwise();
  fp_vector();
  loops();
  return 0;
}
