package io.podswitch.graph;

/** Interfaces by port id (dense, small ids as the switch assigns them). Immutable. */
public final class InterfaceTable {
    private final Interface[] byId;

    public InterfaceTable(Interface... interfaces) {
        int max = -1;
        for (Interface i : interfaces) {
            if (i.id() < 0) {
                throw new IllegalArgumentException("negative port id: " + i);
            }
            max = Math.max(max, i.id());
        }
        if (max > 4095) {
            throw new IllegalArgumentException("port ids must be below 4096, got " + max);
        }
        byId = new Interface[max + 1];
        for (Interface i : interfaces) {
            if (byId[i.id()] != null) {
                throw new IllegalArgumentException("two interfaces with port id " + i.id() + ": " + byId[i.id()]
                        + " and " + i);
            }
            byId[i.id()] = i;
        }
    }

    /** The interface of a port, or null if the id is unknown. */
    public Interface get(int portId) {
        return portId >= 0 && portId < byId.length ? byId[portId] : null;
    }

    /** One more than the largest port id. */
    public int span() {
        return byId.length;
    }

    /** Is the address one of the switch's own on any interface? */
    public boolean ownsIp4(int address) {
        for (Interface i : byId) {
            if (i != null && i.ownsIp4(address)) {
                return true;
            }
        }
        return false;
    }

    public boolean ownsIp6(long high, long low) {
        for (Interface i : byId) {
            if (i != null && i.ownsIp6(high, low)) {
                return true;
            }
        }
        return false;
    }
}
