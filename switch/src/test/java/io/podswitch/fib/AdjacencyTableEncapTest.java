package io.podswitch.fib;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AdjacencyTableEncapTest {
    @Test
    void encapAdjacencyCarriesPortPeerAndInnerMtu() {
        AdjacencyTable t = new AdjacencyTable(4);
        int drop = t.addDrop();
        int encap = t.addEncap(3, 7, 1450);
        assertEquals(AdjacencyTable.ENCAP, t.kind(encap));
        assertEquals(3, t.port(encap));
        assertEquals(7, t.peer(encap));
        assertEquals(1450, t.mtu(encap));
        assertEquals(-1, t.peer(drop));
    }

    @Test
    void aReusedSlotForgetsThePeer() {
        AdjacencyTable t = new AdjacencyTable(1);
        int encap = t.addEncap(1, 2, 1430);
        t.release(encap);
        int rewrite = t.addRewrite(1, 0x02_00_00_00_00_01L, 0);
        assertEquals(encap, rewrite);
        assertEquals(AdjacencyTable.REWRITE, t.kind(rewrite));
        assertEquals(-1, t.peer(rewrite));
    }

    @Test
    void negativePeerIsRefusedAndNothingClaimed() {
        AdjacencyTable t = new AdjacencyTable(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.addEncap(1, -1, 1450));
        assertEquals("negative tunnel peer id: -1", e.getMessage());
        assertEquals(0, t.addDrop(), "the failed call claimed no slot");
    }
}
