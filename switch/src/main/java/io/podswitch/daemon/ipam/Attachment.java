package io.podswitch.daemon.ipam;

/** A pod's network attachment as the CNI spec identifies it: container ID and interface name. */
public record Attachment(String containerId, String ifName) {
    public Attachment {
        if (containerId == null || containerId.isBlank() || containerId.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("container ID must be non-empty without white space");
        }
        if (ifName == null || ifName.isBlank() || ifName.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("interface name must be non-empty without white space");
        }
    }
}
