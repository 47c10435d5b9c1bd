package io.podswitch.perf.bench.side;

import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The podswitch sides bound in this build: any of them may be absent, in which case the scenario
 * reports {@link #unboundReason} instead of a figure.
 */
public record PodswitchSides(Optional<EngineSide> engine, Optional<SwitchPathSide> switchPath,
                             Optional<CniSide> cni, Optional<ServiceSide> service,
                             Optional<PodNetworkSide> podNetwork) {

    /** Without a pod network side (scenarios that do not drive container runtimes). */
    public PodswitchSides(Optional<EngineSide> engine, Optional<SwitchPathSide> switchPath, Optional<CniSide> cni,
                          Optional<ServiceSide> service) {
        this(engine, switchPath, cni, service, Optional.empty());
    }

    /** Without a service side (scenarios that do not use it). */
    public PodswitchSides(Optional<EngineSide> engine, Optional<SwitchPathSide> switchPath, Optional<CniSide> cni) {
        this(engine, switchPath, cni, Optional.empty());
    }

    /** The sides registered with {@link ServiceLoader} on the class path. */
    public static PodswitchSides load() {
        return new PodswitchSides(ServiceLoader.load(EngineSide.class).findFirst(),
                ServiceLoader.load(SwitchPathSide.class).findFirst(), ServiceLoader.load(CniSide.class).findFirst(),
                ServiceLoader.load(ServiceSide.class).findFirst(), ServiceLoader.load(PodNetworkSide.class).findFirst());
    }

    public static PodswitchSides none() {
        return new PodswitchSides(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    public static String unboundReason(Class<?> side) {
        return "no " + side.getSimpleName() + " is bound (register one in META-INF/services/" + side.getName() + ")";
    }
}
