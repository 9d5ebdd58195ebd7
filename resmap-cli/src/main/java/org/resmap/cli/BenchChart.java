package org.resmap.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.File;
import java.io.IOException;
import java.text.DecimalFormat;
import java.util.Arrays;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;
import org.resmap.cli.BenchCommand.Report;
import org.resmap.cli.BenchCommand.Row;

/**
 * The chart of {@code resmap bench --chart}, two plots over the page counts: above, ns per page of
 * each path on a log scale; below, the ratio ordinary/reserved with a line at 1 (above it the reserved
 * mapping is cheaper). Each is a box plot over the requests: the line is the median, the box the
 * quartiles, the whiskers the extremes within 1.5 times the box, dots what lies beyond.
 */
final class BenchChart {

    private static final int WIDTH = 1000;
    private static final int HEIGHT = 720;
    private static final Color RESERVED = new Color(78, 121, 167);
    private static final Color ORDINARY = new Color(242, 142, 43);

    private BenchChart() {
    }

    static void writeSvg(File file, Report report) throws IOException {
        System.setProperty("java.awt.headless", "true");
        DefaultBoxAndWhiskerCategoryDataset costs = new DefaultBoxAndWhiskerCategoryDataset();
        DefaultBoxAndWhiskerCategoryDataset ratios = new DefaultBoxAndWhiskerCategoryDataset();
        for (Row row : report.rows()) {
            String pages = row.pages() == 1 ? "1 page" : row.pages() + " pages";
            costs.add(perPage(row.reserved().nsPerCycle(), row.pages()),
                    "reserved (MmMapLockedPagesWithReservedMapping + unmap)", pages);
            costs.add(perPage(row.ordinary().nsPerCycle(), row.pages()),
                    "ordinary (MmMapLockedPagesSpecifyCache + unmap)", pages);
            ratios.add(Arrays.stream(row.ratio().perRequest()).boxed().toList(), "ordinary / reserved", pages);
        }

        // Labelled at 1, 2, 3, ... times the powers of ten, as plain numbers (a range of a decade or two
        // has too few powers of ten to read).
        LogarithmicAxis nsPerPage = new LogarithmicAxis("ns per page (log scale)");
        nsPerPage.setStrictValuesFlag(false);
        nsPerPage.setNumberFormatOverride(new DecimalFormat("#,##0"));
        CategoryPlot costPlot = plot(costs, nsPerPage, RESERVED, ORDINARY);

        NumberAxis ratioAxis = new NumberAxis("ordinary / reserved");
        ratioAxis.setAutoRangeIncludesZero(false);
        CategoryPlot ratioPlot = plot(ratios, ratioAxis, new Color(170, 170, 170));
        ValueMarker even = new ValueMarker(1.0, Color.RED, new BasicStroke(1.0f));
        ratioPlot.addRangeMarker(even);

        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(new CategoryAxis(null));
        plot.add(costPlot, 2);
        plot.add(ratioPlot, 1);
        JFreeChart chart = new JFreeChart("In-driver map + unmap, " + report.backend() + " back end ("
                + report.repetitions() + " requests of " + report.iterations() + " cycles per path)",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);

        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        File parent = file.getAbsoluteFile().getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
            throw new IOException("cannot create the folder " + parent + " for " + file);
        }
        SVGUtils.writeToSVG(file, g.getSVGElement());
    }

    private static List<Double> perPage(double[] nsPerCycle, int pages) {
        return Arrays.stream(nsPerCycle).map(ns -> ns / pages).boxed().toList();
    }

    private static CategoryPlot plot(DefaultBoxAndWhiskerCategoryDataset data, ValueAxis axis, Color... series) {
        BoxAndWhiskerRenderer boxes = new BoxAndWhiskerRenderer();
        boxes.setMeanVisible(false);
        boxes.setMedianVisible(true);
        boxes.setMaximumBarWidth(0.15);
        for (int i = 0; i < series.length; i++) {
            boxes.setSeriesPaint(i, series[i]);
        }
        CategoryPlot plot = new CategoryPlot(data, null, axis, boxes);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.GRAY);
        return plot;
    }
}
