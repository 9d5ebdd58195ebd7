package org.resmap.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.resmap.bench.PairwiseMain.Comparison;

/** A bar chart of the pairwise results: ns per map + unmap cycle of Java, the C floor, the host, and two bare JNA calls. */
final class Chart {

    private Chart() {
    }

    static void write(List<Comparison> results, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Comparison c : results) {
            switch (c.what()) {
                case "java / C" -> {
                    data.addValue(c.pairs().aNs(), "Java API", c.caseName());
                    data.addValue(c.pairs().bNs(), "C, same requests", c.caseName());
                }
                case "2 JNA calls / C" -> data.addValue(c.pairs().aNs(), "two JNA calls, no work", c.caseName());
                default -> data.addValue(c.pairs().bNs(), "bare host pair", c.caseName());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("resmap map + unmap on the simulator (medians)", null,
                "ns per cycle (log scale)", data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        LogAxis axis = new LogAxis("ns per cycle (log scale)");
        axis.setSmallestValue(100);
        plot.setRangeAxis(axis);
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1400, 700);
    }
}
