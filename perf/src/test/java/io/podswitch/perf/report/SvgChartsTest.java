package io.podswitch.perf.report;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SvgChartsTest {

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void reportGivesThroughputLatencyAndScalingChartsThatAreWellFormedSvg() throws Exception {
        SortedMap<String, String> charts = ReportCharts.render(SampleReports.full("Xeon"));
        assertEquals(List.of("latency-latency-rtt.svg", "scaling-engine-throughput.svg",
                "throughput-tap-forward-forwarded_rate.svg"), List.copyOf(charts.keySet()));
        for (String svg : charts.values()) {
            Document d = parse(svg);
            assertEquals("svg", d.getDocumentElement().getLocalName());
            assertEquals("http://www.w3.org/2000/svg", d.getDocumentElement().getNamespaceURI());
        }
    }

    @Test
    void throughputChartHasOneLinePerSubjectAndItsPacketSizeTicks() throws Exception {
        String svg = ReportCharts.render(SampleReports.full("Xeon")).get("throughput-tap-forward-forwarded_rate.svg");
        Document d = parse(svg);
        assertEquals(2, d.getElementsByTagName("polyline").getLength());
        assertTrue(texts(d).containsAll(List.of("64", "1500", "podswitch", "kernel-forward")), texts(d).toString());
    }

    @Test
    void latencyChartLabelsPercentilesOnALogAxis() throws Exception {
        Document d = parse(ReportCharts.render(SampleReports.full("Xeon")).get("latency-latency-rtt.svg"));
        assertTrue(texts(d).containsAll(List.of("p50", "p90", "p99", "p99.9", "p99.99")), texts(d).toString());
        assertEquals(10.0, ReportCharts.percentileX(90), 1e-9);
        assertEquals(10000.0, ReportCharts.percentileX(99.99), 1e-6);
    }

    @Test
    void scalingChartHasABarPerSubjectAndWorkerCount() throws Exception {
        Document d = parse(ReportCharts.render(SampleReports.full("Xeon")).get("scaling-engine-throughput.svg"));
        NodeList rects = d.getElementsByTagName("rect");
        // background + plot frame + 4 bars + 2 legend swatches
        assertEquals(8, rects.getLength());
    }

    @Test
    void textIsEscaped() throws Exception {
        String svg = new Svg(100, 100).text(1, 1, "a < b & \"c\" \u0001", 10, "start", false, 0).toXml();
        Document d = parse(svg);
        assertEquals("a < b & \"c\" ", d.getElementsByTagName("text").item(0).getTextContent());
    }

    @Test
    void chartWithoutValuesSaysSo() throws Exception {
        Document d = parse(LineChart.render("t", "x", "y", List.of(), List.of(), v -> "", false));
        assertTrue(texts(d).contains("no measured values"));
        Document b = parse(BarChart.render("t", "x", "y", List.of()));
        assertTrue(texts(b).contains("no measured values"));
    }

    @Test
    void notOkMeasurementsAreNotDrawn() {
        Measurement bound = SampleReports.ok("tap-forward", "podswitch", "forwarded_rate", Direction.HIGHER_IS_BETTER,
                Map.of("packet_size", "64"), 1).withStatus(Status.GENERATOR_BOUND, "x");
        assertTrue(ReportCharts.render(SampleReports.withMeasurements(List.of(bound))).isEmpty());
    }

    @Test
    void axisTicksAreRound() {
        Axis a = Axis.linearFromZero(9.3, 0, 100);
        assertEquals(List.of(0.0, 2.0, 4.0, 6.0, 8.0, 10.0), a.ticks());
        assertEquals(List.of(1.0, 10.0, 100.0), new Axis(1, 100, true, 0, 1).ticks());
        assertEquals("1.5M", Axis.label(1_500_000));
        assertFalse(Axis.label(0.25).contains("e"));
    }

    private static List<String> texts(Document d) {
        NodeList n = d.getElementsByTagName("text");
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < n.getLength(); i++) {
            out.add(n.item(i).getTextContent());
        }
        return out;
    }
}
