package io.podswitch.graph;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Interfaces by port id (dense, small ids as the switch assigns them), shared by every worker's
 * graph. One writer (the control thread) adds and removes interfaces while workers run: a slot holds
 * an immutable {@link Interface} published with a release store and read with an acquire load, so a
 * worker sees either no interface or a complete one. A removed port's fd is closed only after every
 * worker has passed a quiescent point (the daemon's QSBR), so a worker that still holds the old
 * {@code Interface} may finish its burst on it.
 */
public final class InterfaceTable {
    /** Port ids below this are valid; it bounds per-worker memory (one TX vector per port id). */
    public static final int DEFAULT_CAPACITY = 1024;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Interface[].class);

    private final Interface[] byId;
    /** The node's uplink (the interface flagged {@link Interface#uplink()}), or null: node ports live on its addresses. */
    private volatile Interface uplink;

    /** An empty table for port ids in [0, capacity). */
    public InterfaceTable(int capacity) {
        if (capacity < 1 || capacity > 65_536) {
            throw new IllegalArgumentException("interface table capacity out of range [1, 65536]: " + capacity);
        }
        byId = new Interface[capacity];
    }

    /** A table holding the given interfaces, with room up to {@link #DEFAULT_CAPACITY} port ids. */
    public InterfaceTable(Interface... interfaces) {
        this(DEFAULT_CAPACITY);
        for (Interface i : interfaces) {
            if (get(i.id()) != null) {
                throw new IllegalArgumentException("two interfaces with port id " + i.id() + ": " + get(i.id())
                        + " and " + i);
            }
            put(i);
        }
    }

    /** Publishes (or replaces) the interface of its port id. Control thread only. */
    public void put(Interface iface) {
        int id = iface.id();
        if (id < 0 || id >= byId.length) {
            throw new IllegalArgumentException("port id " + id + " outside [0, " + byId.length + ")");
        }
        SLOTS.setRelease(byId, id, iface);
        if (iface.uplink()) {
            uplink = iface;
        } else if (uplink != null && uplink.id() == id) {
            uplink = null;
        }
    }

    /** Unpublishes a port; frames already queued for it are dropped and counted by the workers. */
    public void remove(int portId) {
        SLOTS.setRelease(byId, portId, (Interface) null);
        Interface u = uplink;
        if (u != null && u.id() == portId) {
            uplink = null;
        }
    }

    /** The node's uplink interface, or null (a single node, or the {@code udp} attachment). */
    public Interface uplink() {
        return uplink;
    }

    /** The interface of a port, or null if the id is unknown. */
    public Interface get(int portId) {
        return portId >= 0 && portId < byId.length ? (Interface) SLOTS.getAcquire(byId, portId) : null;
    }

    /** The number of port id slots (ids are below it). */
    public int span() {
        return byId.length;
    }

    /** Is the address one of the switch's own on any interface? (control plane and tests) */
    public boolean ownsIp4(int address) {
        for (int id = 0; id < byId.length; id++) {
            Interface i = get(id);
            if (i != null && i.ownsIp4(address)) {
                return true;
            }
        }
        return false;
    }

    public boolean ownsIp6(long high, long low) {
        for (int id = 0; id < byId.length; id++) {
            Interface i = get(id);
            if (i != null && i.ownsIp6(high, low)) {
                return true;
            }
        }
        return false;
    }
}
