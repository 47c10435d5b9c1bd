package io.podswitch.daemon.pod;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.podswitch.api.Attachment;
import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.daemon.ipam.IpAddresses;
import io.podswitch.daemon.json.JsonCodec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link PodRecord}'s JSON shape, one entry of {@code pods.json} and the base of a {@code /v1/pods}
 * entry. The member names and meanings are those the hand-written writer used (records written
 * before the move to Jackson read back unchanged); {@code pod} is left out when unknown.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodRecordJson(String network, @JsonProperty("containerID") String containerId, String ifName,
                            String netns, String mac, Long mtu, List<String> addresses, String portName,
                            String createdAt, String pod) {

    public static PodRecordJson of(PodRecord record) {
        List<String> addresses = new ArrayList<>(record.addresses().size());
        for (InetAddress a : record.addresses()) {
            addresses.add(IpAddresses.format(a));
        }
        return new PodRecordJson(record.network(), record.attachment().containerId(), record.attachment().ifName(),
                record.netns(), AddressBits.formatMac(record.mac()), (long) record.mtu(), addresses, record.portName(),
                record.createdAt(), record.pod().isEmpty() ? null : record.pod());
    }

    /**
     * @param path where this entry sits in its document, for error messages ({@code pods[3]})
     * @throws IllegalArgumentException naming the member for a malformed entry
     */
    public PodRecord toRecord(String path) {
        List<InetAddress> parsed = new ArrayList<>();
        for (String a : JsonCodec.elements(path + ".addresses", addresses)) {
            parsed.add(IpAddresses.parse(a));
        }
        return new PodRecord(JsonCodec.required(path + ".network", network),
                new Attachment(JsonCodec.required(path + ".containerID", containerId),
                        JsonCodec.required(path + ".ifName", ifName)),
                JsonCodec.required(path + ".netns", netns),
                AddressBits.parseMac(JsonCodec.required(path + ".mac", mac)),
                (int) JsonCodec.range(path + ".mtu", mtu, 68, 65535, 1500), parsed,
                JsonCodec.required(path + ".createdAt", createdAt), pod);
    }
}
