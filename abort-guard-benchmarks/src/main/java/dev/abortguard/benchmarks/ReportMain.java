package dev.abortguard.benchmarks;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Writes docs/BENCHMARKS.md from one bench/run's outputs: {@code jmh.csv} (JMH {@code -rf csv}),
 * {@code correctness.tsv}, {@code throughput|client|storm|deadline|overload.properties} and
 * {@code meta.properties}. Usage: {@code ReportMain OUT_DIR REPORT_FILE}.
 */
public final class ReportMain {

    private static final String PKG = "dev.abortguard.benchmarks.";

    private final Path dir;
    private final Map<String, double[]> jmh = new HashMap<>(); // name -> {score, error}
    private final Map<String, String> jmhUnits = new HashMap<>();
    private final StringBuilder md = new StringBuilder();
    private final List<String[]> targets = new ArrayList<>(); // target, measured, met

    private ReportMain(Path dir) {
        this.dir = dir;
    }

    public static void main(String[] args) throws IOException {
        ReportMain r = new ReportMain(Path.of(args[0]));
        String report = r.build();
        Path out = Path.of(args[1]).toAbsolutePath();
        Files.writeString(out, report + r.charts(out.getParent()), StandardCharsets.UTF_8);
        System.out.println("wrote " + args[1]);
    }

    /** Draws the run's own figures as SVG files beside the report; returns the report's section that shows them. */
    private String charts(Path outDir) throws IOException {
        Properties tp = props("throughput.properties");
        Properties cl = props("client.properties");
        Properties dl = props("deadline.properties");
        Properties ov = props("overload.properties");
        StringBuilder md = new StringBuilder("\n## Charts\n\nDrawn by `bench/run` from this run's own figures.\n\n");
        List<SvgCharts.Series> rounds = new ArrayList<>();
        double[] filter = doubles(tp.getProperty("ratio.rounds"));
        double[] client = doubles(cl.getProperty("wrapped.ratio.rounds", cl.getProperty("ratio.rounds")));
        if (filter.length > 0) {
            rounds.add(new SvgCharts.Series("filter / no filter (Tomcat)", filter));
        }
        if (client.length > 0) {
            rounds.add(new SvgCharts.Series("wrapped / raw HttpClient 5", client));
        }
        if (!rounds.isEmpty()) {
            Files.writeString(outDir.resolve("bench-round-ratios.svg"), SvgCharts.roundRatios(
                    "Throughput ratio per round (sections 3 and 4)", rounds, 0.99, "target 0.99 (client: 0.98)"),
                    StandardCharsets.UTF_8);
            md.append("![Per-round throughput ratios](bench-round-ratios.svg)\n\nEach dot is one round's ratio: the spread "
                    + "between rounds is wider than the distance to the targets.\n\n");
        }
        if (dl.getProperty("wrapped.overshoot.p50") != null) {
            List<SvgCharts.Series> deadline = new ArrayList<>();
            deadline.add(new SvgCharts.Series("sequential calls", new double[] {d(dl, "wrapped.overshoot.p50"),
                d(dl, "wrapped.overshoot.p99"), d(dl, "wrapped.overshoot.max")}));
            if (dl.getProperty("concurrent.overshoot.p50") != null) {
                deadline.add(new SvgCharts.Series(dl.getProperty("concurrent.calls") + " in flight at once",
                        new double[] {d(dl, "concurrent.overshoot.p50"), d(dl, "concurrent.overshoot.p99"),
                            d(dl, "concurrent.overshoot.max")}));
            }
            Files.writeString(outDir.resolve("bench-deadline.svg"), SvgCharts.groupedBars(
                    "Deadline overshoot, 200 ms exchangeDeadline (section 6)", "ms past the deadline",
                    List.of("p50", "p99", "max"), deadline), StandardCharsets.UTF_8);
            md.append("![Deadline overshoot](bench-deadline.svg)\n\n");
        }
        if (ov.getProperty("abortGuard.placedExactlyOnce") != null) {
            String[] clients = {"raw", "defaultRetry", "naiveRetry", "abortGuard"};
            double[] placed = new double[clients.length];
            double[] refused = new double[clients.length];
            double[] duplicated = new double[clients.length];
            for (int i = 0; i < clients.length; i++) {
                placed[i] = d(ov, clients[i] + ".placedExactlyOnce");
                refused[i] = d(ov, clients[i] + ".upstream503s");
                duplicated[i] = d(ov, clients[i] + ".duplicates");
            }
            Files.writeString(outDir.resolve("bench-overload.svg"), SvgCharts.groupedBars(
                    "Overload: " + ov.getProperty("orders", "?") + " orders from " + ov.getProperty("callers", "?")
                            + " callers (section 7)", "orders / answers",
                    List.of("raw HttpClient 5", "default retry", "naive retry", "abort-guard"),
                    List.of(new SvgCharts.Series("placed exactly once", placed),
                            new SvgCharts.Series("refused (upstream 503s)", refused),
                            new SvgCharts.Series("processed twice", duplicated))), StandardCharsets.UTF_8);
            md.append("![Overload: placed, refused, duplicated](bench-overload.svg)\n");
        }
        return md.toString();
    }

    private static double[] doubles(String csv) {
        if (csv == null || csv.isBlank()) {
            return new double[0];
        }
        return java.util.Arrays.stream(csv.split(",")).map(String::strip).filter(v -> !v.isEmpty())
                .mapToDouble(Double::parseDouble).toArray();
    }

    private Properties props(String name) throws IOException {
        Properties p = new Properties();
        Path file = dir.resolve(name);
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(reader);
            }
        }
        return p;
    }

    private static double d(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }

    private void readJmh() throws IOException {
        Path file = dir.resolve("jmh.csv");
        if (!Files.exists(file)) {
            return;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            if (f.length < 7) {
                continue;
            }
            String name = unquote(f[0]).replace(PKG, "");
            // a parameterised benchmark's rows differ only in their parameter columns (after the unit)
            for (int i = 7; i < f.length; i++) {
                if (!unquote(f[i]).isEmpty()) {
                    name = name + ":" + unquote(f[i]);
                }
            }
            jmh.put(name, new double[] {num(f[4]), num(f[5])});
            jmhUnits.put(name, unquote(f[6]));
        }
    }

    private static String unquote(String s) {
        return s.strip().replace("\"", "");
    }

    private static double num(String s) {
        try {
            return Double.parseDouble(unquote(s));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private double score(String name) {
        double[] v = jmh.get(name);
        return v == null ? Double.NaN : v[0];
    }

    private String scoreText(String name) {
        double[] v = jmh.get(name);
        if (v == null) {
            return "n/a";
        }
        return fmt(v[0]) + " ± " + fmt(v[1]) + " " + jmhUnits.get(name);
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String ratio(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f×", v);
    }

    private void target(String what, String measured, boolean met) {
        targets.add(new String[] {what, measured, met ? "**met**" : "**missed**"});
    }

    private String build() throws IOException {
        readJmh();
        Properties meta = props("meta.properties");
        Properties tp = props("throughput.properties");
        Properties cl = props("client.properties");
        Properties st = props("storm.properties");
        Properties dl = props("deadline.properties");
        Properties ov = props("overload.properties");
        Properties work = props("classifier-work.properties");

        // ---------------------------------------------------------- classifier correctness
        List<String> corr = Files.exists(dir.resolve("correctness.tsv"))
                ? Files.readAllLines(dir.resolve("correctness.tsv"), StandardCharsets.UTF_8) : List.of();
        String[] implNames = corr.isEmpty() ? new String[0] : corr.get(0).split("\t");
        int entries = Math.max(0, corr.size() - 1);
        int[] correct = new int[implNames.length];
        for (String line : corr.subList(Math.min(1, corr.size()), corr.size())) {
            String[] f = line.split("\t");
            for (int i = 2; i < f.length; i++) {
                if (f[i].equals(f[1])) {
                    correct[i]++;
                }
            }
        }

        double ag = score("ClassifierBenchmark.abortGuard");
        double sp = score("ClassifierBenchmark.springDisconnectedClientHelper");
        double nv = score("ClassifierBenchmark.naiveBrokenPipe");
        double classifierSpeedup = sp / ag;
        double walk = score("ClassifierBenchmark.causeWalkOnly");
        int agCorrect = implNames.length > 2 ? correct[2] : -1;
        int spCorrect = implNames.length > 3 ? correct[3] : -1;

        double filterNs = score("FilterBenchmark.clientAbortFilter");
        double passNs = score("FilterBenchmark.passThrough");
        double filterBytes = score("FilterBenchmark.clientAbortFilter:gc.alloc.rate.norm");
        double passBytes = score("FilterBenchmark.passThrough:gc.alloc.rate.norm");
        double jmhRaw = score("ClientBenchmark.rawClient");
        double jmhWrapped = score("ClientBenchmark.wrappedClient");

        double tpRatio = d(tp, "ratio.median");
        double clRatio = d(cl, "ratio.median");
        double overP50 = d(dl, "wrapped.overshoot.p50");
        double overP99 = d(dl, "wrapped.overshoot.p99");
        double stP50 = d(st, "stormLimited.p50") / d(st, "stormNoFilter.p50");
        double stP99 = d(st, "stormLimited.p99") / d(st, "stormNoFilter.p99");
        double unP50 = d(st, "stormUnlimited.p50") / d(st, "stormNoFilter.p50");
        double unP99 = d(st, "stormUnlimited.p99") / d(st, "stormNoFilter.p99");
        double vsQuietP50 = d(st, "stormLimited.p50") / d(st, "noStorm.p50");
        double vsQuietP99 = d(st, "stormLimited.p99") / d(st, "noStorm.p99");

        target("Filter ≥ 0.99× no-filter throughput (Tomcat, loopback)",
                ratio(tpRatio) + " (" + fmt(d(tp, "filter.rps.median")) + " vs " + fmt(d(tp, "noFilter.rps.median")) + " req/s)",
                tpRatio >= 0.99);
        target("Classifier ≥ 3× faster than Spring's DisconnectedClientHelper, no wrong verdicts",
                ratio(classifierSpeedup) + " as fast (" + fmt(ag) + " vs " + fmt(sp) + " ns/verdict); "
                        + agCorrect + "/" + entries + " right",
                classifierSpeedup >= 3 && agCorrect == entries);
        target("Wrapped client ≥ 0.98× raw throughput (loopback, alternating rounds)",
                ratio(clRatio) + " (" + fmt(d(cl, "wrapped.rps.median")) + " vs " + fmt(d(cl, "raw.rps.median")) + " req/s)",
                clRatio >= 0.98);
        boolean filterMissed = !(tpRatio >= 0.99);
        boolean classifierMissed = !(classifierSpeedup >= 3 && agCorrect == entries);
        boolean clientMissed = !(clRatio >= 0.98);
        boolean deadlineMissed = !(overP99 <= 20);
        boolean stormMissed = !(stP50 <= 1.01 && stP99 <= 1.01);
        // issue 13's acceptance for callers willing to wait, above the upstream's connection limit
        double ovOrders = d(ov, "orders");
        boolean overloadMet = d(ov, "abortGuard.placedExactlyOnce") >= 0.95 * ovOrders && d(ov, "abortGuard.duplicates") == 0
                && d(ov, "abortGuard.unknown") == 0 && d(ov, "abortGuard.amplification") <= 1.1;
        boolean overloadMissed = !ov.isEmpty() && !overloadMet;
        if (!ov.isEmpty()) {
            target("Overload (fasthttp-like upstream over its connection limit): abort-guard places ≥ 95% of orders exactly once, "
                    + "0 duplicates, 0 unknown, ≤ 1.1 upstream requests per order",
                    ov.getProperty("abortGuard.placedExactlyOnce") + "/" + ov.getProperty("orders") + " exactly once, "
                            + ov.getProperty("abortGuard.duplicates") + " duplicates, " + ov.getProperty("abortGuard.unknown")
                            + " unknown, " + fmt(d(ov, "abortGuard.amplification")) + " requests per order", overloadMet);
        }
        target("Deadline overshoot p99 ≤ 20 ms",
                fmt(overP99) + " ms (p50 " + fmt(overP50) + " ms)", overP99 <= 20);
        target("Abort storm adds ≤ 1% latency to healthy requests (filter, rate-limited, vs no filter, same storm)",
                "p50 " + ratio(stP50) + ", p99 " + ratio(stP99), stP50 <= 1.01 && stP99 <= 1.01);

        md.append("# Benchmarks\n\n");
        md.append("Generated by `bench/run` on ").append(meta.getProperty("date", "?"))
                .append(". Every figure is compared with a baseline measured **in the same run**; ")
                .append("load runs alternate baseline and candidate round by round (ABBA) and compare medians. ")
                .append("Regenerate with `bench/run` (about 10 minutes on 2 cores).\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| Machine | ").append(meta.getProperty("cpu", "?")).append(", ").append(meta.getProperty("cores", "?"))
                .append(" cores, ").append(meta.getProperty("memory", "?")).append(" RAM, ").append(meta.getProperty("os", "?")).append(" |\n");
        md.append("| JDK | ").append(meta.getProperty("jdk", "?")).append(" |\n");
        md.append("| Commit | ").append(meta.getProperty("commit", "?")).append(" |\n");
        md.append("| Load average before / after | ").append(meta.getProperty("loadBefore", "?")).append(" / ")
                .append(meta.getProperty("loadAfter", "?")).append(" |\n");
        md.append("| bench/run wall time | ").append(meta.getProperty("wallSeconds", "?")).append(" s |\n");
        if ("true".equals(meta.getProperty("shared"))) {
            md.append("\n> **The machine was shared** during this run (another build and test suite ran on the same "
                    + "2 cores). Absolute numbers are therefore low and noisy; the ratios compare baseline and "
                    + "candidate measured side by side, which is why they are the figures that count.\n");
        }

        md.append("\n## Targets\n\n| Target | Measured | |\n|---|---|---|\n");
        for (String[] t : targets) {
            md.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(t[2]).append(" |\n");
        }

        md.append("\nPer-round ratios in this run spread from ").append(spread(tp.getProperty("ratio.rounds")))
                .append(" (filter/no-filter) and ").append(spread(cl.getProperty("ratio.rounds")))
                .append(" (wrapped/raw client)");
        boolean shared = "true".equals(meta.getProperty("shared"));
        // a spread wider than 10% buries a 1-2% target, whatever the cause
        boolean noisy = shared || width(tp.getProperty("ratio.rounds")) > 0.10 || width(cl.getProperty("ratio.rounds")) > 0.10;
        if (noisy) {
            md.append(shared ? ". With the machine shared, a 1–2% target lies well inside that spread"
                    : ". No other job was seen on the machine, yet a 1–2% target lies well inside that spread "
                    + "(whatever disturbed the rounds was not visible from inside this machine)");
            md.append(": the filter-throughput, client-wrapper and "
                    + "abort-storm verdicts can come out either way from one run of `bench/run` to the next (a storm "
                    + "condition measuring *faster* than its baseline is that noise, not a speed-up). Read them as "
                    + "\"no difference this run could resolve\", and repeat on a quiet machine for a 1% claim");
            // "far" = more than 20% away from the threshold
            // the classifier ratio is "far" when its JMH error intervals keep it on one side of 3×
            double[] agE = jmh.getOrDefault("ClassifierBenchmark.abortGuard", new double[] {ag, Double.NaN});
            double[] spE = jmh.getOrDefault("ClassifierBenchmark.springDisconnectedClientHelper", new double[] {sp, Double.NaN});
            double lowest = (spE[0] - spE[1]) / (agE[0] + agE[1]);
            double highest = (spE[0] + spE[1]) / (agE[0] - agE[1]);
            boolean classifierFar = highest < 3 || (lowest > 3 && agE[0] - agE[1] > 0);
            boolean deadlineFar = !(overP99 > 20 * 0.8 && overP99 < 20 * 1.2);
            if (classifierFar && deadlineFar) {
                md.append(". The classifier ratio (JMH, in process; its error intervals stay on one side of 3×) and the "
                        + "deadline overshoot (more than 20% from 20 ms) are far enough from their thresholds that the noise "
                        + "does not decide them");
            } else if (deadlineFar) {
                md.append(". The classifier ratio (").append(ratio(classifierSpeedup)).append(", ")
                        .append(lowest > 0 ? ratio(lowest) : "n/a").append(" to ").append(highest > 0 ? ratio(highest) : "n/a")
                        .append(" within JMH's error intervals) straddles its 3× "
                        + "threshold, and JMH runs abort-guard and Spring's helper one after the other, so load from outside "
                        + "can move that verdict too; the deadline overshoot is far from its threshold");
            } else if (classifierFar) {
                md.append(". The classifier ratio's JMH error intervals stay on one side of 3×; the deadline overshoot (p99 ").append(fmt(overP99))
                        .append(" ms) is within 20% of its 20 ms threshold and can change with load from outside");
            } else {
                md.append(". The classifier ratio (its JMH error intervals straddle 3×) and the deadline overshoot (within 20% of "
                        + "20 ms) are both close to their thresholds, so "
                        + "load from outside can move those verdicts too");
            }
        }
        md.append(".\n");
        md.append("\n## Headline ratios\n\n");
        md.append("- Filter on real Tomcat 11 over loopback: **").append(ratio(tpRatio)).append("** the throughput without it.\n");
        md.append("- Classifier: **").append(agCorrect).append("/").append(entries).append("** right verdicts (Spring's helper: ")
                .append(spCorrect).append("/").append(entries).append("), at ").append(ratio(classifierSpeedup))
                .append(" Spring's speed.\n");
        md.append("- Wrapped HttpClient 5: **").append(ratio(clRatio)).append("** raw throughput.\n");
        md.append("- Whole-exchange deadline of 200 ms against a drip server: overshoot p50 **").append(fmt(overP50))
                .append(" ms**, p99 **").append(fmt(overP99)).append(" ms**; raw HttpClient 5: ")
                .append(dl.getProperty("raw.stillRunningAtCap", "?")).append("/").append(dl.getProperty("raw.calls", "?"))
                .append(" calls still running at the ").append(dl.getProperty("raw.capMs", "?")).append(" ms safety cap.\n");
        md.append("- Abort storm: healthy-request latency with the filter (log rate-limited) vs without, same storm: p50 **")
                .append(ratio(stP50)).append("**, p99 **").append(ratio(stP99)).append("**.\n");
        if (!ov.isEmpty()) {
            md.append("- Overload (fasthttp-like upstream over its connection limit), abort-guard vs raw HttpClient 5: goodput **")
                    .append(ratio(d(ov, "abortGuard.ratio.goodput"))).append("**, upstream requests per order **")
                    .append(ratio(d(ov, "abortGuard.ratio.amplification"))).append("**, p99 **")
                    .append(ratio(d(ov, "abortGuard.ratio.p99"))).append("**.\n");
        }

        // ---------------------------------------------------------- JMH sections
        md.append("\n## 1. Classifier (JMH)\n\n");
        md.append("ns per verdict over the ").append(entries - 2).append(" acyclic entries of the corpus (`Corpus.java`), "
                + "walked in order; one operation = one throwable. The two cyclic entries are left out of the timing "
                + "because Spring's helper does not return on one of them (see below).\n\n");
        md.append("| Implementation | ns/verdict | B/verdict | vs Spring |\n|---|---|---|---|\n");
        String[][] impls = {
            {"abort-guard `ClientAbortClassifier.standard()`", "abortGuard"},
            {"Spring `DisconnectedClientHelper.isClientDisconnectedException` (baseline)", "springDisconnectedClientHelper"},
            {"naive `getMessage().contains(\"broken pipe\")`", "naiveBrokenPipe"},
        };
        for (String[] i : impls) {
            String n = "ClassifierBenchmark." + i[1];
            md.append("| ").append(i[0]).append(" | ").append(scoreText(n)).append(" | ")
                    .append(fmt(score(n + ":gc.alloc.rate.norm") / 15)).append(" | ")
                    .append(ratio(sp / score(n))).append(" |\n");
        }
        md.append("| *not a classifier:* the cause-chain walk alone, `getCause()` down each chain (≤ 64 levels) | ")
                .append(scoreText("ClassifierBenchmark.causeWalkOnly")).append(" | ")
                .append(fmt(score("ClassifierBenchmark.causeWalkOnly:gc.alloc.rate.norm") / 15)).append(" | — |\n");
        if (!Double.isNaN(walk)) {
            md.append("\n").append(walkSentence(ag, sp, walk)).append("\n");
        }
        List<String[]> profile = topFrames(3);
        md.append("\nWhere abort-guard's time goes (JMH `-prof stack` on `abortGuard`, by the method on top of the stack, as a share "
                + "of the benchmark thread's RUNNABLE samples): ");
        if (profile.isEmpty()) {
            md.append("no profile in this run.\n");
        } else {
            for (int k = 0; k < profile.size(); k++) {
                md.append(k == 0 ? "" : ", ").append("`").append(profile.get(k)[0]).append("` ").append(profile.get(k)[1]);
            }
            md.append(" (top ").append(profile.size()).append(" frames; the profiled run is shorter than the timed one, "
                    + "see `bench/out/classifier-stack.txt`).\n");
        }
        md.append("\nVerdicts on the whole corpus (").append(entries).append(" entries; `hang` = no answer within 2 s):\n\n");
        if (!corr.isEmpty()) {
            md.append("| Throwable | Client abort? |");
            for (int i = 2; i < implNames.length; i++) {
                md.append(" ").append(implNames[i]).append(" |");
            }
            md.append("\n|---|---|");
            for (int i = 2; i < implNames.length; i++) {
                md.append("---|");
            }
            md.append("\n");
            for (String line : corr.subList(1, corr.size())) {
                String[] f = line.split("\t");
                md.append("| ").append(f[0].replace("|", "\\|")).append(" | ").append(f[1]).append(" |");
                for (int i = 2; i < f.length; i++) {
                    md.append(" ").append(f[i].equals(f[1]) ? f[i] : "**" + f[i] + "** ✗").append(" |");
                }
                md.append("\n");
            }
            md.append("| **Right verdicts** | |");
            for (int i = 2; i < implNames.length; i++) {
                md.append(" **").append(correct[i]).append("/").append(entries).append("** |");
            }
            md.append("\n");
        }

        md.append("\n## 2. Filter happy path (JMH, in process)\n\n");
        md.append("One GET through `ClientAbortFilter.doFilter` vs a pass-through filter; the servlet sets a content type "
                + "and writes a 2 KiB JSON body in two writes; the container is a hand-written fake (8 KiB buffer, "
                + "counting sink), so this isolates the filter's own cost. `-prof gc` gives bytes per request.\n\n");
        md.append("| | ns/request | B/request |\n|---|---|---|\n");
        md.append("| pass-through filter (baseline) | ").append(scoreText("FilterBenchmark.passThrough")).append(" | ")
                .append(fmt(passBytes)).append(" |\n");
        md.append("| `ClientAbortFilter` | ").append(scoreText("FilterBenchmark.clientAbortFilter")).append(" | ")
                .append(fmt(filterBytes)).append(" |\n");
        md.append("\nThe filter adds **").append(fmt(filterNs - passNs)).append(" ns** and **").append(fmt(filterBytes - passBytes))
                .append(" B** per request in isolation: ").append(fmt((filterNs - passNs) / 10 / d(tp, "noFilter.cpuMicrosPerRequest.median")))
                .append("% of the ").append(fmt(d(tp, "noFilter.cpuMicrosPerRequest.median")))
                .append(" µs of process CPU a whole loopback request costs in section 4. Section 4 measures what the filter costs on a real Tomcat.\n");

        md.append("\n## 3. Client wrapper happy path\n\n");
        md.append("`POST /orders` (covered by the policy's default: not idempotent, so the wrapper adds an "
                + "`Idempotency-Key`, phase recording and a 5 s whole-exchange deadline) through a raw pooled "
                + "HttpClient 5 vs the same client built with `policy.instrument(..)` and wrapped with `policy.wrap(..)`, "
                + "against embedded Tomcat over loopback, keep-alive.\n\n");
        md.append("Loopback load, ").append(cl.getProperty("threads", "?")).append(" closed-loop threads, ")
                .append(cl.getProperty("rounds", "?")).append(" alternating rounds of ").append(cl.getProperty("roundSeconds", "?"))
                .append(" s (the target's figure):\n\n");
        md.append("| Client | req/s (median) | ratio to raw (median of per-round ratios) | p99 ms (median) | process CPU µs/request (median) | CPU capacity ratio |\n|---|---|---|---|---|---|\n");
        String[][] variants = {
            {"raw HttpClient 5 (baseline)", "raw"},
            {"**wrapped** (policy defaults + 5 s exchangeDeadline; the target's figure)", "wrapped"},
            {"diagnostic: wrapped, no exchangeDeadline", "wrappedNoDeadline"},
            {"diagnostic: wrapped, no exchangeDeadline, counter keys instead of UUID.randomUUID()", "wrappedNoDeadlineCounterKey"},
        };
        for (String[] v : variants) {
            boolean base = v[1].equals("raw");
            md.append("| ").append(v[0]).append(" | ").append(fmt(d(cl, v[1] + ".rps.median"))).append(" | ")
                    .append(base ? "1" : ratio(d(cl, v[1] + ".ratio.median"))).append(" | ")
                    .append(fmt(d(cl, v[1] + ".p99.median"))).append(" | ")
                    .append(fmt(d(cl, v[1] + ".cpuMicrosPerRequest.median"))).append(" | ")
                    .append(base ? "1" : ratio(d(cl, v[1] + ".cpuCapacityRatio.median"))).append(" |\n");
        }
        md.append("\nPer-round throughput ratios wrapped/raw: ").append(rounds(cl.getProperty("ratio.rounds"))).append("; median **")
                .append(ratio(clRatio)).append("**. Errors: ").append(cl.getProperty("errors", "?"))
                .append(". \"Process CPU µs/request\" is the JVM's CPU time (client and server together) divided by the "
                + "requests of the round; \"CPU capacity ratio\" is baseline CPU/request ÷ candidate CPU/request, "
                + "i.e. the throughput ratio a CPU-bound, unshared machine would show.\n\n");
        md.append("JMH (1 thread; the two benchmarks run one after the other, so load from outside shifts this ratio): raw ")
                .append(scoreText("ClientBenchmark.rawClient")).append(", wrapped ").append(scoreText("ClientBenchmark.wrappedClient"))
                .append(" → ").append(ratio(jmhWrapped / jmhRaw)).append("; allocation ")
                .append(fmt(score("ClientBenchmark.rawClient:gc.alloc.rate.norm"))).append(" vs ")
                .append(fmt(score("ClientBenchmark.wrappedClient:gc.alloc.rate.norm"))).append(" B/request.\n");

        md.append("\n## 4. Loopback load: Tomcat 11 with and without the filter\n\n");
        md.append("Two embedded Tomcat 11 instances in one JVM (one without a filter, one with `ClientAbortFilter` "
                + "defaults), `GET /hello` (2 KiB JSON), ").append(tp.getProperty("threads", "?"))
                .append(" closed-loop HttpClient 5 threads (pooled, keep-alive) in the same JVM, warm-up, then ")
                .append(tp.getProperty("rounds", "?")).append(" rounds of ").append(tp.getProperty("roundSeconds", "?"))
                .append(" s alternating A B / B A.\n\n");
        md.append("| | req/s (median) | p50 ms (median) | p99 ms (median) | process CPU µs/request (median) |\n|---|---|---|---|---|\n");
        md.append("| no filter (baseline) | ").append(fmt(d(tp, "noFilter.rps.median"))).append(" | ").append(fmt(d(tp, "noFilter.p50.median")))
                .append(" | ").append(fmt(d(tp, "noFilter.p99.median"))).append(" | ").append(fmt(d(tp, "noFilter.cpuMicrosPerRequest.median"))).append(" |\n");
        md.append("| `ClientAbortFilter` | ").append(fmt(d(tp, "filter.rps.median"))).append(" | ").append(fmt(d(tp, "filter.p50.median")))
                .append(" | ").append(fmt(d(tp, "filter.p99.median"))).append(" | ").append(fmt(d(tp, "filter.cpuMicrosPerRequest.median"))).append(" |\n");
        if (tp.getProperty("filterNoFlush.rps.median") != null) {
            md.append("| diagnostic: `ClientAbortFilter`, `flushOnChainReturn(false)` | ").append(fmt(d(tp, "filterNoFlush.rps.median"))).append(" | ")
                    .append(fmt(d(tp, "filterNoFlush.p50.median"))).append(" | ").append(fmt(d(tp, "filterNoFlush.p99.median"))).append(" | ")
                    .append(fmt(d(tp, "filterNoFlush.cpuMicrosPerRequest.median"))).append(" |\n");
            md.append("\nDiagnostic, `flushOnChainReturn(false)` vs no filter: throughput ratio median ")
                    .append(ratio(d(tp, "filterNoFlush.ratio.median"))).append(", CPU capacity ratio median ")
                    .append(ratio(d(tp, "filterNoFlush.cpuCapacityRatio.median"))).append(".\n");
        }
        md.append("\nPer-round throughput ratios filter/no-filter: ").append(rounds(tp.getProperty("ratio.rounds"))).append("; median **")
                .append(ratio(tpRatio)).append("**. CPU capacity ratio (no-filter CPU/request ÷ filter CPU/request, per round): median ")
                .append(ratio(d(tp, "cpuCapacityRatio.median"))).append(". Errors: ").append(tp.getProperty("errors", "?")).append(".\n");

        md.append("\n## 5. Abort storm\n\n");
        md.append(st.getProperty("healthyThreads", "?")).append(" healthy clients each send `GET /hello` every ")
                .append(st.getProperty("healthyIntervalMs", "?")).append(" ms and measure latency, while ")
                .append(st.getProperty("stormThreads", "?")).append(" storm clients with a ").append(st.getProperty("stormReadTimeoutMs", "?"))
                .append(" ms read timeout hammer `GET /stream` (1 KiB every 150 ms), give up and close; the server's next "
                + "writes fail. Logs go to a file appender (logback `FileAppender`, `bench/out/server.log`), never to the "
                + "console. Four conditions, rotated each round (")
                .append(st.getProperty("rounds", "?")).append(" rounds of ").append(st.getProperty("roundSeconds", "?"))
                .append(" s); percentiles over all rounds' requests.\n\n");
        md.append("| Condition | healthy p50 ms | healthy p99 ms | mean ms | storm req/s | aborts counted/s | abort log lines/s |\n|---|---|---|---|---|---|---|\n");
        String[][] conds = {
            {"no storm (filter, defaults)", "noStorm"},
            {"storm, no filter (baseline)", "stormNoFilter"},
            {"storm, filter, INFO rate-limited (default 10/s)", "stormLimited"},
            {"storm, filter, INFO unlimited", "stormUnlimited"},
        };
        for (String[] c : conds) {
            md.append("| ").append(c[0]).append(" | ").append(fmt(d(st, c[1] + ".p50"))).append(" | ").append(fmt(d(st, c[1] + ".p99")))
                    .append(" | ").append(fmt(d(st, c[1] + ".mean"))).append(" | ").append(fmt(d(st, c[1] + ".stormRequestsPerSecond")))
                    .append(" | ").append(fmt(d(st, c[1] + ".abortsPerSecond"))).append(" | ").append(fmt(d(st, c[1] + ".logLinesPerSecond"))).append(" |\n");
        }
        md.append("\nLatency abort-guard adds to healthy requests under the storm (filter vs no filter, same storm): rate-limited p50 ")
                .append(ratio(stP50)).append(", p99 ").append(ratio(stP99)).append("; unlimited p50 ").append(ratio(unP50))
                .append(", p99 ").append(ratio(unP99)).append(". The storm itself (rate-limited filter vs no storm): p50 ")
                .append(ratio(vsQuietP50)).append(", p99 ").append(ratio(vsQuietP99))
                .append(" — that is the cost of serving the storm's connections on the same 2 cores, with or without abort-guard"
                + (vsQuietP50 < 1 || vsQuietP99 < 1 ? " (here the no-storm condition came out slower than the storm, which shows how large this run's noise is next to a 1% target)" : "")
                + ". "
                + "(Log lines in the no-storm condition are the rate limiter's \"Suppressed N\" summaries and late aborts from the previous condition.)\n");

        md.append("\n## 6. Deadline overshoot\n\n");
        md.append("A raw-socket server answers `200` with `Content-Length: 1000000` and drips one byte every 50 ms forever. "
                + "Client: `exchangeDeadline(").append(dl.getProperty("deadlineMs", "?")).append(" ms)`, responseTimeout ")
                .append(dl.getProperty("responseTimeoutMs", "?")).append(" ms, `POST` with a response handler that reads the body; ")
                .append(dl.getProperty("calls", "?")).append(" sequential calls after 10 warm-up calls; overshoot = end − start − deadline.\n\n");
        md.append("| | p50 | p99 | max | outcomes |\n|---|---|---|---|---|\n");
        md.append("| wrapped, exchangeDeadline | ").append(fmt(overP50)).append(" ms | ").append(fmt(overP99)).append(" ms | ")
                .append(fmt(d(dl, "wrapped.overshoot.max"))).append(" ms | ").append(dl.getProperty("wrapped.outcomes", "?")).append(" |\n");
        if (dl.getProperty("concurrent.calls") != null) {
            md.append("| wrapped, exchangeDeadline, ").append(dl.getProperty("concurrent.calls")).append(" calls in flight at once "
                    + "(started together, all due together) | ").append(fmt(d(dl, "concurrent.overshoot.p50"))).append(" ms | ")
                    .append(fmt(d(dl, "concurrent.overshoot.p99"))).append(" ms | ").append(fmt(d(dl, "concurrent.overshoot.max")))
                    .append(" ms | ").append(dl.getProperty("concurrent.outcomes", "?")).append(" |\n");
        }
        md.append("\nRaw HttpClient 5 with the same 300 ms responseTimeout: ").append(dl.getProperty("raw.calls", "?"))
                .append(" calls, elapsed ").append(rounds(dl.getProperty("raw.elapsedMs"))).append(" ms, outcomes: ")
                .append(dl.getProperty("raw.outcomes", "?")).append(" — the responseTimeout never fires against a drip; "
                + "the benchmark itself cancels each call at its ").append(dl.getProperty("raw.capMs", "?")).append(" ms safety cap.\n");

        if (!ov.isEmpty()) {
            md.append("\n## 7. Overload: a fasthttp-like upstream over its connection limit\n\n");
            md.append("The second source document's upstream (`FastHttpLikeUpstream` from `examples/overload-demo`): ")
                    .append(ov.getProperty("limit", "?")).append(" connections served at once, 1–3 s per order, fasthttp's "
                    + "concurrency-limit 503 with `Connection: close` before reading the request beyond that, a ledger of "
                    + "processed orders. ").append(ov.getProperty("orders", "?")).append(" orders (POST with an "
                    + "`Idempotency-Key`) from ").append(ov.getProperty("callers", "?")).append(" callers at once, responseTimeout ")
                    .append(ov.getProperty("responseTimeoutMs", "?")).append(" ms, pool of 64, each client against a fresh "
                    + "upstream with the same latencies, one after the other in one JVM. Goodput: orders the caller saw placed "
                    + "and the ledger processed exactly once, per second of the client's run. Ratios are to raw HttpClient 5 "
                    + "in the same run (1.000× when both are 0).\n\n");
            md.append("| Client | placed exactly once | goodput (orders/s) | × raw | upstream requests per order | × raw | p99 ms | × raw "
                    + "| duplicates (× raw) | unknown (× raw) | upstream 503s | connections opened |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            String[][] clients = {
                {"raw HttpClient 5, retries disabled (baseline)", "raw"},
                {"HttpClient 5, default retry", "defaultRetry"},
                {"naive retry loop (at once on any IOException or 503, 4 sends)", "naiveRetry"},
                {"abort-guard, `maxInFlightPerRoute(" + ov.getProperty("limit", "?") + ", 20 s)`", "abortGuard"},
            };
            for (String[] c : clients) {
                md.append("| ").append(c[0]).append(" | ").append(ov.getProperty(c[1] + ".placedExactlyOnce", "?")).append("/")
                        .append(ov.getProperty("orders", "?")).append(" | ").append(fmt(d(ov, c[1] + ".goodput"))).append(" | ")
                        .append(ratio(d(ov, c[1] + ".ratio.goodput"))).append(" | ").append(fmt(d(ov, c[1] + ".amplification")))
                        .append(" | ").append(ratio(d(ov, c[1] + ".ratio.amplification"))).append(" | ")
                        .append(fmt(d(ov, c[1] + ".p99"))).append(" | ").append(ratio(d(ov, c[1] + ".ratio.p99"))).append(" | ")
                        .append(ov.getProperty(c[1] + ".duplicates", "?")).append(" (").append(ratio(d(ov, c[1] + ".ratio.duplicates")))
                        .append(") | ").append(ov.getProperty(c[1] + ".unknown", "?")).append(" (")
                        .append(ratio(d(ov, c[1] + ".ratio.unknown"))).append(")")
                        .append(" | ").append(ov.getProperty(c[1] + ".upstream503s", "?")).append(" | ")
                        .append(ov.getProperty(c[1] + ".connections", "?")).append(" |\n");
            }
            md.append("\nThe one-command demo of the same scenario, with a middleware in between, TIME_WAIT by side and the seed's "
                    + "shorter timeout: `java -jar examples/overload-demo/target/overload-demo.jar` (README).\n");
        }

        if (jmh.containsKey("IdempotencyFilterBenchmark.payment:none")) {
            md.append("\n## 8. Idempotency filter (JMH, in process)\n\n");
            md.append("One `POST /payments` (100-byte body; the servlet of section 2 answers 2 KiB) through `IdempotencyFilter` vs a "
                    + "pass-through filter: a request on no route, then a request with a fresh key each time (read the body and "
                    + "hash it, claim, hold the answer, store it, send it) on each store. PostgreSQL (through a 4-connection "
                    + "HikariCP pool, fsync off) and redis-server are real local servers, so their rows are mostly the "
                    + "round trips: claim and complete are two per request.\n\n");
            md.append("| | ns/request | B/request | added to the baseline | ratio to the baseline |\n|---|---|---|---|---|\n");
            double base = score("IdempotencyFilterBenchmark.payment:none");
            String[][] rows = {
                {"pass-through filter (baseline)", "none"},
                {"filter, request on no route", "off-route"},
                {"keyed request, in-memory store", "memory"},
                {"keyed request, PostgreSQL (JDBC)", "postgresql"},
                {"keyed request, Redis", "redis"},
            };
            for (String[] row : rows) {
                String name = "IdempotencyFilterBenchmark.payment:" + row[1];
                md.append("| ").append(row[0]).append(" | ").append(scoreText(name)).append(" | ")
                        .append(fmt(score("IdempotencyFilterBenchmark.payment:gc.alloc.rate.norm:" + row[1]))).append(" | ")
                        .append(row[1].equals("none") ? "—" : fmt(score(name) - base) + " ns, "
                                + fmt(score("IdempotencyFilterBenchmark.payment:gc.alloc.rate.norm:" + row[1])
                                        - score("IdempotencyFilterBenchmark.payment:gc.alloc.rate.norm:none")) + " B")
                        .append(" | ").append(ratio(score(name) / base)).append(" |\n");
            }
            md.append("\nA request the filter does not cover allocates nothing more than the baseline. A keyed request "
                    + "holds its answer and keeps a copy for the store; the in-memory row keeps every record of the run "
                    + "(24 h retention), which is what its error bar is made of (GC).\n");
        }

        if (jmh.containsKey("KeyBenchmark.uuidRandomUuid")) {
            md.append("\n## 9. Idempotency keys (JMH)\n\n");
            md.append("One key per covered request that carries none: `UUID.randomUUID().toString()` (the old default, the "
                    + "baseline) vs the policy's default now, the same kind of key from a ChaCha20 keystream keyed from "
                    + "`SecureRandom` with fast key erasure (`RandomKeys`; why it stays unguessable: its Javadoc).\n\n");
            md.append("| | ns/key | B/key | ratio to the baseline |\n|---|---|---|---|\n");
            String[][] keyRows = {
                {"`UUID.randomUUID()`, 1 thread (baseline)", "KeyBenchmark.uuidRandomUuid", "KeyBenchmark.uuidRandomUuid"},
                {"default keys, 1 thread", "KeyBenchmark.randomKeys", "KeyBenchmark.uuidRandomUuid"},
                {"`UUID.randomUUID()`, 2 threads (baseline)", "KeyBenchmark.uuidRandomUuidTwoThreads", "KeyBenchmark.uuidRandomUuidTwoThreads"},
                {"default keys, 2 threads", "KeyBenchmark.randomKeysTwoThreads", "KeyBenchmark.uuidRandomUuidTwoThreads"},
            };
            for (String[] row : keyRows) {
                md.append("| ").append(row[0]).append(" | ").append(scoreText(row[1])).append(" | ")
                        .append(fmt(score(row[1] + ":gc.alloc.rate.norm"))).append(" | ")
                        .append(ratio(score(row[1]) / score(row[2]))).append(" |\n");
            }
        }

        md.append("\n## What the misses come from\n\n");
        boolean springHangs = false;
        for (String line : corr.subList(Math.min(1, corr.size()), corr.size())) {
            String[] f = line.split("\t");
            springHangs |= f.length > 3 && f[3].equals("hang");
        }
        boolean anyMissed = filterMissed || classifierMissed || clientMissed || deadlineMissed || stormMissed || overloadMissed;
        if (!anyMissed) {
            md.append("No target was missed in this run.\n");
        }
        if (classifierMissed) {
            md.append("- **Classifier.** ").append(fmt(ag)).append(" ns/verdict, ").append(ratio(classifierSpeedup))
                    .append(" Spring's speed (target 3×)");
            if (agCorrect != entries) {
                md.append(", and ").append(entries - agCorrect).append(" wrong verdict(s) on the corpus (section 1)");
            }
            md.append(". The classifier already answers per class (exclusion, abort type) once, in a `ClassValue`, and caches its "
                    + "per-message and per-frame verdicts; ");
            md.append(profile.isEmpty() ? "" : "the top frame of the profile above is `" + profile.get(0)[0] + "` ("
                    + profile.get(0)[1] + "). ");
            if (!Double.isNaN(walk)) {
                md.append(walkSentence(ag, sp, walk)).append(" A public API offers no cheaper way down a chain; "
                        + "reading `Throwable.cause` reflectively would need `--add-opens java.base/java.lang`, which a "
                        + "library must not ask of its users. ");
            }
            md.append("What remains is work Spring's helper skips by design: ");
            md.append("(1) walking the whole cause chain to honour an exclusion anywhere in it — an abort verdict is final only "
                    + "once every cause (up to `maxCauseDepth` ").append(work.getProperty("maxCauseDepth", "?"))
                    .append(") has been checked, so the ").append(work.getProperty("timed.abortVerdicts", "?"))
                    .append(" abort verdicts among the ").append(work.getProperty("timed.entries", "?"))
                    .append(" timed entries inspect ").append(work.getProperty("timed.abortVerdicts.throwables", "?"))
                    .append(" throwables, of the ").append(work.getProperty("timed.throwables", "?"))
                    .append(" the timed entries hold; (2) `getStackTrace()` copies that tell server I/O from outbound I/O, for "
                    + "`IOException`s whose message carries an abort phrase and for Jetty `EofException`s: the timed entries hold ")
                    .append(work.getProperty("timed.stackCandidates", "?")).append(" such throwables in ")
                    .append(work.getProperty("timed.stackCandidates.entries", "?")).append(" entries, up to ")
                    .append(work.getProperty("timed.stackCandidates.frames", "?"))
                    .append(" stack frames copied per pass over the corpus (fewer when an earlier level already decided). "
                    + "Spring's helper reads one message and one simple class name, which is why it is fast and why it gets ")
                    .append(entries - spCorrect).append(" of ").append(entries).append(" verdicts wrong here")
                    .append(springHangs ? " (and never returns on a cyclic cause chain of real errors: its cause walk has no bound)" : "")
                    .append(".\n");
        }
        if (clientMissed) {
            md.append("- **Client wrapper** (").append(ratio(clRatio)).append(" raw throughput, target 0.98×; CPU capacity ratio ")
                    .append(ratio(d(cl, "wrapped.cpuCapacityRatio.median"))).append("). Measured with section 3's diagnostic rows and fixed once already: the "
                    + "first report had each attempt re-parse an absolute `URI` and arm a `ScheduledThreadPoolExecutor` task for the "
                    + "deadline; attempts are now built from the request's components (the absolute URI only for recovery) and "
                    + "deadlines go on a FIFO timer (one lock-free append per attempt, no wake-up per request). What a covered "
                    + "request still costs: an `ExchangeProgress`, phase-recording wrappers around the connection and the entity, "
                    + "and an idempotency key from `UUID.randomUUID()` (a `SecureRandom` draw); the diagnostic rows in section 3 "
                    + "take the deadline (").append(ratio(d(cl, "wrappedNoDeadline.ratio.median")))
                    .append(") and then the UUID (").append(ratio(d(cl, "wrappedNoDeadlineCounterKey.ratio.median")))
                    .append(") away. The key is the product's point (unguessable, unique across instances), so the default stays; "
                    + "`idempotencyKeyGenerator` takes a cheaper supplier where the server scopes keys per client.\n");
        }
        if (filterMissed) {
            md.append("- **Filter throughput** (").append(ratio(tpRatio)).append(", target 0.99×): per-round ratios spread from ")
                    .append(spread(tp.getProperty("ratio.rounds"))).append("; the CPU capacity ratio is ")
                    .append(ratio(d(tp, "cpuCapacityRatio.median"))).append(" and the filter's own cost in isolation is ")
                    .append(fmt(filterNs - passNs)).append(" ns/request (sections 2 and 4).\n");
        }
        if (stormMissed) {
            md.append("- **Abort storm** (p50 ").append(ratio(stP50)).append(", p99 ").append(ratio(stP99))
                    .append(", target ≤ 1.010×): see section 5; the storm itself moves healthy latency by p50 ")
                    .append(ratio(vsQuietP50)).append(", p99 ").append(ratio(vsQuietP99)).append(" against the no-storm condition.\n");
        }
        if (deadlineMissed) {
            md.append("- **Deadline overshoot** (p99 ").append(fmt(overP99)).append(" ms, max ").append(fmt(d(dl, "wrapped.overshoot.max")))
                    .append(" ms, target ≤ 20 ms): see section 6.\n");
        }

        if (overloadMissed) {
            md.append("- **Overload** (abort-guard placed ").append(ov.getProperty("abortGuard.placedExactlyOnce", "?")).append("/")
                    .append(ov.getProperty("orders", "?")).append(" orders exactly once, ").append(ov.getProperty("abortGuard.duplicates", "?"))
                    .append(" duplicates, ").append(ov.getProperty("abortGuard.unknown", "?")).append(" unknown, ")
                    .append(fmt(d(ov, "abortGuard.amplification"))).append(" upstream requests per order): see section 7.\n");
        }

        md.append("\n## How it is run\n\n");
        md.append("`bench/run` builds with `mvn -B -q -DskipTests -Pbench package` (the `bench` profile shades "
                + "`abort-guard-benchmarks/target/benchmarks.jar`; the default `mvn verify` only compiles the benchmarks), "
                + "then runs JMH `").append(meta.getProperty("jmhArgs", "?")).append("` with `-rf csv`, the corpus check "
                + "(`CorrectnessMain`), the load runs (`LoadMain throughput|client|storm|deadline|overload`, each in its own JVM) "
                + "and this report (`ReportMain`). Raw outputs stay in `bench/out/` (not committed). "
                + "`BENCH_SCALE=0.3 bench/run` shortens every load phase for a quick look.\n");
        return md.toString();
    }

    /**
     * What the cause-chain walk alone says about a classifier's time: {@code Throwable.getCause()}
     * is {@code synchronized}, so walking a chain costs one uncontended lock per level whatever the
     * rules; abort-guard walks every chain to its end (an exclusion anywhere vetoes), Spring's helper
     * stops at its first match.
     */
    static String walkSentence(double ag, double sp, double walk) {
        String s = "Walking the timed chains alone (`getCause()` is `synchronized`: one uncontended lock per level, "
                + "and the corpus's two 50-deep chains hold most of its levels) costs " + fmt(walk) + " ns/verdict";
        if (ag <= walk * 1.10) {
            return s + "; abort-guard's " + fmt(ag) + " ns is that walk within this run's noise (it stops early on an "
                    + "exclusion, so it can even come out below it): its rules add nothing this run can measure, and "
                    + "the walk, not the rules, is what keeps it from 3× Spring's helper, which stops at its first "
                    + "match and so does not always walk the whole chain.";
        }
        return s + "; above it abort-guard spends " + fmt(ag - walk) + " ns/verdict and Spring's helper "
                + fmt(sp - walk) + " ns/verdict" + (sp > walk ? " (" + ratio((sp - walk) / (ag - walk)) + ")" : "")
                + "; Spring's helper stops at its first match, so it does not always pay the whole walk.";
    }

    /**
     * The {@code n} methods most often on top of the stack in bench/out/classifier-stack.txt (JMH
     * {@code -prof stack}), each with its share of the benchmark thread's RUNNABLE samples: JMH
     * groups samples by their top {@code lines} frames, so entries are summed by their first line;
     * the RUNNABLE samples without a stack (JMH's own idle threads) are left out of the total.
     * Each result is {name, "NN%"}; empty when there is no profile.
     */
    private List<String[]> topFrames(int n) throws IOException {
        Path file = dir.resolve("classifier-stack.txt");
        if (!Files.exists(file)) {
            return List.of();
        }
        double empty = 0;
        Map<String, Double> shares = new java.util.LinkedHashMap<>();
        boolean runnable = false;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String t = line.strip();
            if (t.startsWith("....[Thread state: RUNNABLE]")) {
                runnable = true;
                continue;
            }
            if (t.startsWith("....[") && runnable) {
                break;
            }
            if (!runnable || !t.contains("%")) {
                continue;
            }
            String[] parts = t.split("\\s+", 3);
            if (parts.length < 3) {
                continue;
            }
            double pct = num(parts[1].replace("%", "")); // share of RUNNABLE samples
            if (parts[2].startsWith("<stack is empty")) {
                empty = pct;
            } else if (!parts[2].startsWith("<other>")) {
                shares.merge(shortFrame(parts[2]), pct, Double::sum);
            }
        }
        double total = 100 - empty;
        List<String[]> top = new ArrayList<>();
        shares.entrySet().stream()
                .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .limit(n)
                .forEach(e -> top.add(new String[] {e.getKey(),
                        total > 0 ? String.format(Locale.ROOT, "%.0f%%", 100 * e.getValue() / total) : "n/a"}));
        return top;
    }

    /** {@code a.b.Cls.method} to {@code Cls.method}; a lambda's {@code /0x..} suffix dropped. */
    static String shortFrame(String frame) {
        String f = frame.strip();
        int slash = f.indexOf('/');
        if (slash > 0) {
            int dot = f.indexOf('.', slash);
            f = f.substring(0, slash) + (dot > 0 ? f.substring(dot) : "");
        }
        int last = f.lastIndexOf('.');
        int prev = last > 0 ? f.lastIndexOf('.', last - 1) : -1;
        return prev >= 0 ? f.substring(prev + 1) : f;
    }

    /** max − min of a comma-separated list of ratios; 0 when absent. */
    private static double width(String csv) {
        if (csv == null) {
            return 0;
        }
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (String v : csv.split(",")) {
            double x = num(v);
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return max - min;
    }

    private static String spread(String csv) {
        if (csv == null) {
            return "n/a";
        }
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (String v : csv.split(",")) {
            double x = num(v);
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return ratio(min) + " to " + ratio(max);
    }

    private static String rounds(String csv) {
        if (csv == null) {
            return "n/a";
        }
        StringBuilder sb = new StringBuilder();
        for (String v : csv.split(",")) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            try {
                sb.append(String.format(Locale.ROOT, "%.3f", Double.parseDouble(v)));
            } catch (NumberFormatException e) {
                sb.append(v);
            }
        }
        return sb.toString();
    }
}
