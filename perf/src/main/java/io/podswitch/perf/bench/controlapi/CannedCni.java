package io.podswitch.perf.bench.controlapi;

import io.podswitch.api.AttachmentRequest;
import io.podswitch.api.CniResult;
import io.podswitch.api.GcRequest;
import io.podswitch.api.ResultDns;
import io.podswitch.api.ResultInterface;
import io.podswitch.api.ResultIp;
import io.podswitch.api.ResultRoute;
import io.podswitch.daemon.api.CniOperations;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The data plane faked out of the control API: ADD answers at once, on the control thread, with the result a
 * dual-stack podswitchd gives a pod (interface, two addresses, two default routes, cluster DNS), so the
 * request and answer have their real size and every layer above the operation — socket, HTTP, JSON, the
 * hop to the control thread — does its real work. Counts the calls, so a test can see both servers reached it.
 */
public final class CannedCni implements CniOperations {
    static final CniResult RESULT = new CniResult(
            List.of(new ResultInterface("eth0", "0a:58:0a:f4:01:05", 1450, "/var/run/netns/bench", null, null)),
            List.of(new ResultIp("10.244.1.5/24", "10.244.1.1", 0),
                    new ResultIp("fd00:10:244:1::5/64", "fd00:10:244:1::1", 0)),
            List.of(ResultRoute.of("0.0.0.0/0", "10.244.1.1"), ResultRoute.of("::/0", "fd00:10:244:1::1")),
            new ResultDns(List.of("10.96.0.10"), "cluster.local",
                    List.of("bench.svc.cluster.local", "svc.cluster.local", "cluster.local"), List.of("ndots:5")));

    private final AtomicLong adds = new AtomicLong();
    private final AtomicLong dels = new AtomicLong();

    @Override
    public CniResult add(AttachmentRequest request) {
        adds.incrementAndGet();
        return RESULT;
    }

    @Override
    public void del(AttachmentRequest request) {
        dels.incrementAndGet();
    }

    @Override
    public void check(AttachmentRequest request) {
    }

    @Override
    public void status() {
    }

    @Override
    public void gc(GcRequest request) {
    }

    public long adds() {
        return adds.get();
    }

    public long dels() {
        return dels.get();
    }
}
