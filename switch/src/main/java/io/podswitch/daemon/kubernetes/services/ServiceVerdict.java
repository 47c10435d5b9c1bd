package io.podswitch.daemon.kubernetes.services;

import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.desired.ServiceId;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import java.util.List;

/** What a Service (with its EndpointSlices) means to the data path. */
public sealed interface ServiceVerdict {

    ServiceId id();

    /**
     * A service to serve. {@code problems}: parts of its slices that were left out (an endpoint with a bad
     * address, a port without a name …), each a sentence for the log; the rest is served.
     */
    record Serve(DesiredService service, List<String> problems) implements ServiceVerdict {
        public Serve {
            problems = List.copyOf(problems);
        }

        @Override
        public ServiceId id() {
            return service.id();
        }
    }

    /** Not proxied, by design (headless, ExternalName, another proxy's): nothing to log. */
    record Ignore(ServiceId id, String why) implements ServiceVerdict {
    }

    /** A service that makes no sense here (a ClusterIP outside serviceCIDRs, garbage): logged once, skipped. */
    record Reject(ServiceId id, Skipped why) implements ServiceVerdict {
        /** @param reason the code (a metric label), @param detail the sentence for the log */
        public Reject(ServiceId id, String reason, String detail) {
            this(id, new Skipped(reason, detail));
        }

        /** The sentence for the log and the status. */
        public String reason() {
            return why.detail();
        }
    }
}
