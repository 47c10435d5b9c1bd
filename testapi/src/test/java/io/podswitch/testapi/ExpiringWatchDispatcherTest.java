package io.podswitch.testapi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How the test API server reads request paths (which resource type a write or a watch is about). */
class ExpiringWatchDispatcherTest {

    @Test
    void resourceTypeOfCorePathsGroupPathsAndNamespaces() {
        assertEquals("nodes", ExpiringWatchDispatcher.resourceType("/api/v1/nodes"));
        assertEquals("nodes", ExpiringWatchDispatcher.resourceType("/api/v1/nodes/a/status"));
        assertEquals("services", ExpiringWatchDispatcher.resourceType("/api/v1/namespaces/default/services/web"));
        assertEquals("services", ExpiringWatchDispatcher.resourceType("/api/v1/services?watch=true&resourceVersion=3"));
        assertEquals("endpointslices",
                ExpiringWatchDispatcher.resourceType("/apis/discovery.k8s.io/v1/namespaces/x/endpointslices/s-1"));
        assertEquals("endpointslices", ExpiringWatchDispatcher.resourceType("/apis/discovery.k8s.io/v1/endpointslices"));
        assertEquals("namespaces", ExpiringWatchDispatcher.resourceType("/api/v1/namespaces/default"));
        assertEquals("namespaces", ExpiringWatchDispatcher.resourceType("/api/v1/namespaces"));
    }

    @Test
    void watchFromReadsOnlyWatchRequests() {
        assertEquals(7, ExpiringWatchDispatcher.watchFrom("/api/v1/nodes?allowWatchBookmarks=true&resourceVersion=7&watch=true"));
        assertEquals(0, ExpiringWatchDispatcher.watchFrom("/api/v1/nodes?resourceVersion=7"), "a list");
        assertEquals(0, ExpiringWatchDispatcher.watchFrom("/api/v1/nodes?watch=true"), "from now");
        assertEquals(0, ExpiringWatchDispatcher.watchFrom("/api/v1/nodes?watch=true&resourceVersion=0"), "any version");
    }

    @Test
    void aStrategicMergeOfConditionsReplacesByTypeAndKeepsTheOthers() {
        String current = """
                {"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"NetworkUnavailable","status":"True"}]}}""";
        String patch = """
                {"status":{"conditions":[{"type":"NetworkUnavailable","status":"False","reason":"PodswitchIsUp"}]}}""";
        String expected = """
                {"status":{"conditions":[{"type":"Ready","status":"True"},\
                {"type":"NetworkUnavailable","status":"False","reason":"PodswitchIsUp"}]}}""";
        assertEquals(expected, ExpiringWatchDispatcher.conditionsMergedByType(current, patch).replace(" ", ""));
    }
}
