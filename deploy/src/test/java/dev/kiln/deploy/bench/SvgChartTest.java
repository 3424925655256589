package dev.kiln.deploy.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SvgChartTest {

    @Test
    void aChartIsWrittenAsWellFormedSvgAndAsAPngShowingTheSeries(@TempDir Path dir) throws Exception {
        SvgChart chart = new SvgChart("a & b < c");
        chart.panel("panel", "x", "y").line("first", new double[]{0, 1, 2, Double.NaN}, new double[]{0, 1, 4, 9})
                .dots("second", new double[]{0, 1, 2}, new double[]{4, 1, 0});
        Path svg = dir.resolve("chart.svg");
        chart.write(svg);

        // Well-formed XML (the title's & and < are escaped) with one polyline for the line series.
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        assertEquals(1, doc.getElementsByTagName("polyline").getLength());
        assertEquals(3, doc.getElementsByTagName("circle").getLength());

        Path png = dir.resolve("chart.png");
        assertTrue(Files.exists(png), "the PNG is written beside the SVG");
        BufferedImage im = ImageIO.read(png.toFile());
        assertEquals(720, im.getWidth());
        assertEquals(30 + 320, im.getHeight());
        assertTrue(count(im, 0x1f77b4) > 50, "the first series' colour is drawn");
    }

    @Test
    void barChartsToo(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("bars.svg");
        BarChartSvg.write(svg, "bars", "GB/s", List.of("a", "b"),
                List.of(new BarChartSvg.Series("kiln", "#d95f02", new double[]{1, 2})), 2.5, "limit");
        assertEquals(2, DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile())
                .getElementsByTagName("rect").getLength() - 1 /* background */ - 1 /* legend swatch */);
        assertTrue(count(ImageIO.read(dir.resolve("bars.png").toFile()), 0xd95f02) > 1000, "bars are filled in the PNG");
    }

    private static int count(BufferedImage im, int rgb) {
        int n = 0;
        for (int y = 0; y < im.getHeight(); y++) for (int x = 0; x < im.getWidth(); x++) if ((im.getRGB(x, y) & 0xffffff) == rgb) n++;
        return n;
    }
}
