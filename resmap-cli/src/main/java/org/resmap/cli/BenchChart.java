package org.resmap.cli;

import java.awt.Color;
import java.awt.Rectangle;
import java.io.File;
import java.io.IOException;
import java.text.DecimalFormat;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;
import org.resmap.cli.BenchCommand.Report;
import org.resmap.cli.BenchCommand.Row;

/** The chart of {@code resmap bench --chart}: median ns per map + unmap cycle, reserved and ordinary, per page count. */
final class BenchChart {

    private static final int WIDTH = 1000;
    private static final int HEIGHT = 560;

    private BenchChart() {
    }

    static void writeSvg(File file, Report report) throws IOException {
        System.setProperty("java.awt.headless", "true");
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Row row : report.rows()) {
            String pages = row.pages() == 1 ? "1 page" : row.pages() + " pages";
            data.addValue(row.reserved().nsPerCycleMedian(), "reserved (MmMapLockedPagesWithReservedMapping + unmap)", pages);
            data.addValue(row.ordinary().nsPerCycleMedian(), "ordinary (MmMapLockedPagesSpecifyCache + unmap)", pages);
        }
        JFreeChart chart = ChartFactory.createBarChart("In-driver map + unmap, " + report.backend() + " back end (medians of "
                + report.repetitions() + " requests of " + report.iterations() + " cycles)", null,
                "ns per cycle (log scale)", data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        // Ticks at the powers of ten, labelled as plain numbers.
        LogAxis axis = new LogAxis("ns per cycle (log scale)");
        axis.setSmallestValue(10);
        axis.setTickUnit(new NumberTickUnit(1));
        axis.setNumberFormatOverride(new DecimalFormat("#,##0"));
        plot.setRangeAxis(axis);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.GRAY);
        BarRenderer bars = (BarRenderer) plot.getRenderer();
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setSeriesPaint(0, new Color(78, 121, 167));
        bars.setSeriesPaint(1, new Color(242, 142, 43));
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        File parent = file.getAbsoluteFile().getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
            throw new IOException("cannot create the folder " + parent + " for " + file);
        }
        SVGUtils.writeToSVG(file, g.getSVGElement());
    }
}
