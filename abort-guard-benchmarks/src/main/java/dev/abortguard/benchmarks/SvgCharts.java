package dev.abortguard.benchmarks;

import java.util.List;
import java.util.Locale;

/**
 * Small self-contained SVG charts for docs/BENCHMARKS.md, drawn from one bench/run's own figures
 * (no network, no library): where a reader would rather look than read.
 */
final class SvgCharts {

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
    private static final int WIDTH = 720;
    private static final int HEIGHT = 320;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private SvgCharts() {
    }

    /** One named series of values, in order. */
    record Series(String name, double[] values) {
    }

    /**
     * Per-round ratios as dots, one colour per series, with the 1.0 line and a target line: the
     * spread is the point — a target inside it cannot be decided by one run.
     */
    static String roundRatios(String title, List<Series> series, double target, String targetLabel) {
        double min = Math.min(target, 1.0);
        double max = Math.max(target, 1.0);
        int rounds = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            rounds = Math.max(rounds, s.values().length);
        }
        double lo = Math.floor(min * 10) / 10;
        double hi = Math.ceil(max * 10) / 10;
        StringBuilder svg = open(title);
        yAxis(svg, lo, hi, 0.1, "ratio", "%.2f");
        horizontal(svg, lo, hi, 1.0, "#555", "1.00: no difference", false, true);
        horizontal(svg, lo, hi, target, "#d62728", targetLabel, true, false);
        double step = (WIDTH - LEFT - RIGHT) / (double) Math.max(1, rounds);
        for (int r = 0; r < rounds; r++) {
            text(svg, LEFT + step * (r + 0.5), HEIGHT - BOTTOM + 16, "" + (r + 1), "middle", 11);
        }
        text(svg, LEFT + (WIDTH - LEFT - RIGHT) / 2.0, HEIGHT - BOTTOM + 32, "round", "middle", 12);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String colour = COLOURS[i % COLOURS.length];
            for (int r = 0; r < s.values().length; r++) {
                double x = LEFT + step * (r + 0.5) + (i - (series.size() - 1) / 2.0) * 6;
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>%n",
                        x, y(s.values()[r], lo, hi), colour));
            }
            legend(svg, i, s.name(), colour);
        }
        return close(svg);
    }

    /** Grouped bars: one group per label, one bar per series, each with its value written on it. */
    static String groupedBars(String title, String unit, List<String> groups, List<Series> series) {
        double max = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                max = Math.max(max, v);
            }
        }
        double hi = niceCeiling(max);
        StringBuilder svg = open(title);
        yAxis(svg, 0, hi, hi / 5, unit, null);
        double groupWidth = (WIDTH - LEFT - RIGHT) / (double) groups.size();
        double barWidth = groupWidth * 0.8 / series.size();
        for (int g = 0; g < groups.size(); g++) {
            double x0 = LEFT + g * groupWidth + groupWidth * 0.1;
            text(svg, LEFT + g * groupWidth + groupWidth / 2, HEIGHT - BOTTOM + 16, groups.get(g), "middle", 11);
            for (int i = 0; i < series.size(); i++) {
                double v = series.get(i).values()[g];
                double top = y(v, 0, hi);
                double x = x0 + i * barWidth;
                svg.append(String.format(Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
                        x, top, barWidth - 2, y(0, 0, hi) - top, COLOURS[i % COLOURS.length]));
                text(svg, x + (barWidth - 2) / 2, top - 3, number(v), "middle", 10);
            }
        }
        for (int i = 0; i < series.size(); i++) {
            legend(svg, i, series.get(i).name(), COLOURS[i % COLOURS.length]);
        }
        return close(svg);
    }

    private static StringBuilder open(String title) {
        StringBuilder svg = new StringBuilder(4096);
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(svg, WIDTH / 2.0, 22, title, "middle", 14);
        return svg;
    }

    private static String close(StringBuilder svg) {
        return svg.append("</svg>\n").toString();
    }

    private static void yAxis(StringBuilder svg, double lo, double hi, double tick, String label, String format) {
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                LEFT, TOP, LEFT, HEIGHT - BOTTOM));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM));
        int ticks = (int) Math.round((hi - lo) / tick);
        for (int i = 0; i <= ticks; i++) {
            double v = lo + i * tick;
            double y = y(v, lo, hi);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n",
                    LEFT + 1, y, WIDTH - RIGHT, y));
            text(svg, LEFT - 6, y + 4, format == null ? number(v) : String.format(Locale.ROOT, format, v), "end", 10);
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 16 %.1f)\">%s</text>%n", (TOP + HEIGHT - BOTTOM) / 2.0,
                (TOP + HEIGHT - BOTTOM) / 2.0, escape(label)));
    }

    private static void horizontal(StringBuilder svg, double lo, double hi, double v, String colour, String label,
            boolean dashed, boolean labelAbove) {
        double y = y(v, lo, hi);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"%s/>%n",
                LEFT, y, WIDTH - RIGHT, y, colour, dashed ? " stroke-dasharray=\"6 4\"" : ""));
        // one label above its line at the left, the other below at the right, so close lines stay readable
        if (labelAbove) {
            text(svg, LEFT + 6, y - 4, label, "start", 10);
        } else {
            text(svg, WIDTH - RIGHT - 4, y + 12, label, "end", 10);
        }
    }

    private static void legend(StringBuilder svg, int index, String name, String colour) {
        double x = LEFT + index * 200;
        double y = HEIGHT - 12;
        svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>%n",
                x, y - 9, colour));
        text(svg, x + 14, y, name, "start", 11);
    }

    private static double y(double v, double lo, double hi) {
        double span = hi - lo == 0 ? 1 : hi - lo;
        return HEIGHT - BOTTOM - (v - lo) / span * (HEIGHT - TOP - BOTTOM);
    }

    private static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double f : new double[] {1, 2, 2.5, 5, 10}) {
            if (f * magnitude >= v) {
                return f * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String number(double v) {
        if (Math.abs(v - Math.rint(v)) < 1e-9) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static void text(StringBuilder svg, double x, double y, String s, String anchor, int size) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\">%s</text>%n",
                x, y, size, anchor, escape(s)));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
