package io.podswitch.daemon.api;

import io.podswitch.api.AttachmentRequest;
import io.podswitch.api.CniResult;
import io.podswitch.api.GcRequest;
import io.podswitch.daemon.pod.ApiException;

/** The CNI plugin's five commands as the control API runs them, on the control thread. */
public interface CniOperations {
    CniResult add(AttachmentRequest request) throws ApiException;

    void del(AttachmentRequest request) throws ApiException;

    void check(AttachmentRequest request) throws ApiException;

    void status() throws ApiException;

    void gc(GcRequest request) throws ApiException;
}
