/*
 * A tight C implementation of the per-simulation work of MODEL.md, for the benchmark only: the
 * yardstick the TypeScript kernel is measured against in the same run (`npm run bench`).
 * It reads the inputs the TypeScript side prepared (dataset-only arrays already computed, as the
 * TypeScript kernel has them), runs the same algorithm REPS times and prints the median time and
 * a checksum (final circulating supply) so the two are known to compute the same thing. The
 * benchmark calls it once per round, interleaved with the TypeScript rounds.
 *
 *   kernel INPUT.bin REPS
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  int H, F, D, nKnownRb, nKnownQa, nRelease, nBurn, hasReward;
  double rbZero, qaZero, zeroCum, circZero, lockedZero, rewardZero, dailyBurn, burnBoost, useAvail;
  double *histRb, *histQa, *histOnbRb, *histOnbQa, *histRenRb, *histRenQa, *histRR, *burnVec;
  double *knownRb, *knownQa, *release;
  double *rbp, *rr, *fpr, *lock, *filPlusM, *qaMult;
  double *baseline, *cumSimple, *totalVest, *gamma, *disbursed; /* length N, prepared once */
} Inputs;

static double *readArr(FILE *f, int n) {
  double *a = malloc(sizeof(double) * (n > 0 ? n : 1));
  if (n > 0 && fread(a, sizeof(double), n, f) != (size_t)n) { fprintf(stderr, "short input\n"); exit(2); }
  return a;
}

static double pledge(double p, double Q, double B, double r, double L, double w, double S) {
  if (p == 0) return 0;
  double cap = p * 1048576.0;
  if (!(Q > 0)) return cap;
  double share = p / Q;
  double storage = 20.0 * r * share;
  double simple = fmax(L * S * share, 0);
  double base = fmax(L * S * (p / fmax(Q, B)), 0);
  double v = storage + ((1 - w) * simple + w * base);
  return v < cap ? v : cap;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: kernel INPUT.bin REPS\n"); return 2; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 2; }
  Inputs in;
  int hdr[8];
  if (fread(hdr, sizeof(int), 8, f) != 8) return 2;
  in.H = hdr[0]; in.F = hdr[1]; in.D = hdr[2]; in.nKnownRb = hdr[3]; in.nKnownQa = hdr[4]; in.nRelease = hdr[5]; in.nBurn = hdr[6]; in.hasReward = hdr[7];
  double sc[9];
  if (fread(sc, sizeof(double), 9, f) != 9) return 2;
  in.rbZero = sc[0]; in.qaZero = sc[1]; in.zeroCum = sc[2]; in.circZero = sc[3]; in.lockedZero = sc[4]; in.rewardZero = sc[5]; in.dailyBurn = sc[6]; in.burnBoost = sc[7]; in.useAvail = sc[8];
  int H = in.H, F = in.F, N = H + F, D = in.D;
  in.histRb = readArr(f, H + 1); in.histQa = readArr(f, H + 1); in.histOnbRb = readArr(f, H + 1); in.histOnbQa = readArr(f, H + 1);
  in.histRenRb = readArr(f, H + 1); in.histRenQa = readArr(f, H + 1); in.histRR = readArr(f, H); in.burnVec = readArr(f, in.nBurn);
  in.knownRb = readArr(f, in.nKnownRb); in.knownQa = readArr(f, in.nKnownQa); in.release = readArr(f, in.nRelease);
  in.rbp = readArr(f, F); in.rr = readArr(f, F); in.fpr = readArr(f, F); in.lock = readArr(f, F); in.filPlusM = readArr(f, F); in.qaMult = readArr(f, F);
  in.baseline = readArr(f, N); in.cumSimple = readArr(f, N); in.totalVest = readArr(f, N); in.gamma = readArr(f, N); in.disbursed = readArr(f, N);
  fclose(f);
  int reps = atoi(argv[2]);

  /* all per-simulation arrays, allocated once (as the TypeScript workspace) */
  double *qaOnb = malloc(8 * F), *rbSe = malloc(8 * F), *rbRen = malloc(8 * F), *rbTot = malloc(8 * F), *qaSe = malloc(8 * F), *qaRen = malloc(8 * F), *qaTot = malloc(8 * F);
  double *rbE = malloc(8 * N), *qaE = malloc(8 * N), *onbRb = malloc(8 * N), *renRb = malloc(8 * N), *onbQa = malloc(8 * N), *renQa = malloc(8 * N), *rate = malloc(8 * N), *lock = malloc(8 * N);
  double *capped = malloc(8 * N), *cumCap = malloc(8 * N), *nt = malloc(8 * N), *cumBase = malloc(8 * N), *cumNet = malloc(8 * N), *dayRew = malloc(8 * N);
  double *dLocked = malloc(8 * N), *dRenewed = malloc(8 * N), *locked = malloc(8 * N), *lPledge = malloc(8 * N), *lReward = malloc(8 * N), *burn = malloc(8 * N), *circ = malloc(8 * N), *avail = malloc(8 * N), *perPib = malloc(8 * N);
  double *ppq = malloc(8 * N), *rps = malloc(8 * N), *prefix = malloc(8 * (N + 1)), *bad = malloc(8 * (N + 1));
  int Y = N - 364 > 0 ? N - 364 : 0;
  double *ret1 = malloc(8 * (Y + 1)), *roi1 = malloc(8 * (Y + 1));
  double *times = malloc(sizeof(double) * reps);
  double check = 0;

  /* untimed warm-up runs first (page faults, caches), as the TypeScript side warms up its JIT */
  int warm = 20;
  for (int rep = -warm; rep < reps; rep++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int k = 0; k < F; k++) qaOnb[k] = in.rbp[k] * (1 + (in.filPlusM[k] - 1) * in.fpr[k]);
    for (int kind = 0; kind < 2; kind++) {
      double *onb = kind ? qaOnb : in.rbp, *known = kind ? in.knownQa : in.knownRb, *se = kind ? qaSe : rbSe, *ren = kind ? qaRen : rbRen, *tot = kind ? qaTot : rbTot;
      int nk = kind ? in.nKnownQa : in.nKnownRb;
      double zero = kind ? in.qaZero : in.rbZero, co = 0, cs = 0, cr = 0;
      for (int k = 0; k < F; k++) {
        double s = k < nk ? known[k] : 0;
        if (k >= D) s += onb[k - D] + ren[k - D];
        double r = s * in.rr[k] * (kind ? in.qaMult[k] : 1);
        se[k] = s; ren[k] = r; co += onb[k]; cs += s; cr += r;
        tot[k] = zero + co - cs + cr;
      }
    }
    memcpy(rbE, in.histRb, 8 * (H + 1)); memcpy(qaE, in.histQa, 8 * (H + 1));
    memcpy(onbRb, in.histOnbRb, 8 * (H + 1)); memcpy(renRb, in.histRenRb, 8 * (H + 1));
    memcpy(onbQa, in.histOnbQa, 8 * (H + 1)); memcpy(renQa, in.histRenQa, 8 * (H + 1));
    for (int k = 0; k < F - 1; k++) {
      int t = H + 1 + k;
      double rb = rbTot[k] > 0 ? rbTot[k] : 0, cap = in.filPlusM[k] * rb, qa = qaTot[k] < cap ? qaTot[k] : cap;
      rbE[t] = rb / 1024; qaE[t] = (qa > 0 ? qa : 0) / 1024;
      onbRb[t] = in.rbp[k]; renRb[t] = rbRen[k]; onbQa[t] = qaOnb[k]; renQa[t] = qaRen[k];
    }
    memcpy(rate, in.histRR, 8 * H); memcpy(rate + H, in.rr, 8 * F);
    for (int t = 0; t < H; t++) lock[t] = 0.3;
    memcpy(lock + H, in.lock, 8 * F);

    const double g = log(2.0) / 365, lam = log(2.0) / (6 * 365), b0 = 2.766213637444971e18 / 1152921504606846976.0, balloc = 0.7 * 0.55 * 2e9;
    double sum = 0;
    for (int t = 0; t < N; t++) {
      double b = in.baseline[t], r = rbE[t], c = b < r ? b : r;
      sum += c;
      double cum = sum + in.zeroCum, x = (1 / g) * log((g * cum) / b0 + 1), cb = balloc * (1 - exp(-lam * x));
      capped[t] = c; cumCap[t] = cum; nt[t] = x; cumBase[t] = cb; cumNet[t] = in.cumSimple[t] + cb;
    }
    for (int t = 1; t < N; t++) dayRew[t] = cumNet[t] - cumNet[t - 1];
    dayRew[0] = dayRew[1];

    double r0 = in.hasReward ? in.rewardZero : in.lockedZero / 2;
    lReward[0] = r0; lPledge[0] = in.lockedZero - r0; locked[0] = in.lockedZero; circ[0] = avail[0] = in.circZero;
    dLocked[0] = dRenewed[0] = 0; burn[0] = in.burnVec[0];
    double S = in.useAvail != 0 ? in.circZero - in.lockedZero : in.circZero, db = in.dailyBurn * in.burnBoost;
    for (int t = 1; t < N; t++) {
      double Q = qaE[t] * 1024, B = in.baseline[t] * 1024, r = dayRew[t], L = lock[t], w = in.gamma[t], rt = rate[t];
      double rel = t < in.nRelease ? in.release[t] : 0;
      if (t - D >= H) rel += dLocked[t - D];
      double onb = pledge(onbQa[t], Q, B, r, L, w, S);
      perPib[t] = pledge(1, Q, B, r, L, w, S);
      double rn = pledge(renQa[t], Q, B, r, L, w, S), orig = rt * rel, extra = rn - orig;
      double dp = onb + (-(1 - rt) * rel + (extra > 0 ? extra : 0));
      double rp = orig > rn ? orig : rn;
      dRenewed[t] = rp; dLocked[t] = onb + rp;
      double prev = lReward[t - 1], dr = 0.75 * r - prev / 180;
      lPledge[t] = lPledge[t - 1] + dp; lReward[t] = prev + dr;
      double lk = fmax(locked[t - 1] + dp + dr, 0);
      locked[t] = lk;
      double bu = t < in.nBurn ? in.burnVec[t] : burn[t - 1] + db;
      burn[t] = bu;
      double cs = in.disbursed[t] + cumNet[t] + in.totalVest[t] - lk - bu, ci = fmax(cs, 0), av = fmax(cs + lk, 0);
      circ[t] = ci; avail[t] = av; S = in.useAvail != 0 ? av : ci;
    }
    for (int t = 1; t < N; t++) ppq[t] = onbQa[t] == 0 ? NAN : perPib[t] / 32768.0;
    ppq[0] = ppq[1];
    for (int t = 0; t < N; t++) rps[t] = qaE[t] > 0 ? dayRew[t] / 33554432.0 / qaE[t] : NAN;
    prefix[0] = bad[0] = 0;
    for (int t = 0; t < N; t++) { double v = rps[t]; int ok = v == v; prefix[t + 1] = prefix[t] + (ok ? v : 0); bad[t + 1] = bad[t] + !ok; }
    for (int i = 0; i < Y; i++) { double rr1 = bad[i + 365] == bad[i] ? prefix[i + 365] - prefix[i] : NAN; ret1[i] = rr1; roi1[i] = ppq[i] > 0 ? rr1 / ppq[i] : NAN; }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rep < 0) continue;
    times[rep] = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    check += circ[N - 1] + roi1[Y > 0 ? Y - 1 : 0] * 0;
  }
  qsort(times, reps, sizeof(double), cmp);
  printf("{\"median_ms\": %.6f, \"p99_ms\": %.6f, \"circ_supply_end\": %.17g}\n", times[reps / 2], times[(int)(reps * 0.99)], check / reps);
  return 0;
}
