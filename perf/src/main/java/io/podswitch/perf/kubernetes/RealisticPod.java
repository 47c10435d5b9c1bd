package io.podswitch.perf.kubernetes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Deployment's pod as a real kube-apiserver sends it in a list (modelled on {@code kubectl get pod -o json} of a
 * Deployment's pod on Kubernetes 1.31): the minimal pod's identity, labels, node, addresses and named ports
 * ({@link PolicyScaleCluster}), plus what the minimal one leaves out — {@code managedFields} of the two writers
 * (kube-controller-manager's create, the kubelet's status updates), an annotation, three env vars (two from the
 * downward API), liveness and readiness probes, a restrictive security context, an emptyDir, the three-source
 * {@code kube-api-access} volume, two tolerations, five conditions and a container status with its mounts. About
 * 7 KB of JSON, 3–4 × the minimal pod. Rendered from a template cut once at its {@code {{placeholders}}}, so
 * 100,000 pods per list cost the server a copy each, not a search.
 */
final class RealisticPod {
    private static final String TEMPLATE = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"{{time}}"},\
            "creationTimestamp":"{{time}}","generateName":"{{rs}}-","labels":{"app":"{{app}}","pod-template-hash":"{{hash}}",\
            "tier":"{{tier}}","version":"v1"},"managedFields":[{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":\
            {"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/restartedAt":{}},"f:generateName":{},\
            "f:labels":{".":{},"f:app":{},"f:pod-template-hash":{},"f:tier":{},"f:version":{}},"f:ownerReferences":\
            {".":{},"k:{\\"uid\\":\\"{{rsUid}}\\"}":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"app\\"}":{".":{},\
            "f:env":{".":{},"k:{\\"name\\":\\"LOG_LEVEL\\"}":{".":{},"f:name":{},"f:value":{}},"k:{\\"name\\":\\"POD_NAME\\"}":\
            {".":{},"f:name":{},"f:valueFrom":{".":{},"f:fieldRef":{}}},"k:{\\"name\\":\\"POD_NAMESPACE\\"}":{".":{},\
            "f:name":{},"f:valueFrom":{".":{},"f:fieldRef":{}}}},"f:image":{},"f:imagePullPolicy":{},"f:livenessProbe":\
            {".":{},"f:failureThreshold":{},"f:httpGet":{".":{},"f:path":{},"f:port":{},"f:scheme":{}},\
            "f:initialDelaySeconds":{},"f:periodSeconds":{},"f:successThreshold":{},"f:timeoutSeconds":{}},"f:name":{},\
            "f:ports":{".":{},"k:{\\"containerPort\\":8080,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{},"f:name":{},\
            "f:protocol":{}},"k:{\\"containerPort\\":9090,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{},\
            "f:name":{},"f:protocol":{}}},"f:readinessProbe":{".":{},"f:failureThreshold":{},"f:httpGet":{".":{},\
            "f:path":{},"f:port":{},"f:scheme":{}},"f:periodSeconds":{},"f:successThreshold":{},"f:timeoutSeconds":{}},\
            "f:resources":{".":{},"f:limits":{".":{},"f:memory":{}},"f:requests":{".":{},"f:cpu":{},"f:memory":{}}},\
            "f:securityContext":{".":{},"f:allowPrivilegeEscalation":{},"f:capabilities":{".":{},"f:drop":{}},\
            "f:readOnlyRootFilesystem":{},"f:runAsNonRoot":{}},"f:terminationMessagePath":{},\
            "f:terminationMessagePolicy":{},"f:volumeMounts":{".":{},"k:{\\"mountPath\\":\\"/tmp\\"}":{".":{},\
            "f:mountPath":{},"f:name":{}}}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:restartPolicy":{},\
            "f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{},"f:volumes":{".":{},\
            "k:{\\"name\\":\\"tmp\\"}":{".":{},"f:emptyDir":{},"f:name":{}}}}},"manager":"kube-controller-manager",\
            "operation":"Update","time":"{{time}}"},{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:status":\
            {"f:conditions":{"k:{\\"type\\":\\"ContainersReady\\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},\
            "f:status":{},"f:type":{}},"k:{\\"type\\":\\"Initialized\\"}":{".":{},"f:lastProbeTime":{},\
            "f:lastTransitionTime":{},"f:status":{},"f:type":{}},"k:{\\"type\\":\\"PodReadyToStartContainers\\"}":{".":{},\
            "f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}},"k:{\\"type\\":\\"Ready\\"}":{".":{},\
            "f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}}},"f:containerStatuses":{},\
            "f:hostIP":{},"f:hostIPs":{},"f:phase":{},"f:podIP":{},"f:podIPs":{".":{},"k:{\\"ip\\":\\"{{ip}}\\"}":{".":{},\
            "f:ip":{}}},"f:startTime":{}}},"manager":"kubelet","operation":"Update","subresource":"status",\
            "time":"{{time}}"}],"name":"{{name}}","namespace":"{{ns}}","ownerReferences":[{"apiVersion":"apps/v1",\
            "blockOwnerDeletion":true,"controller":true,"kind":"ReplicaSet","name":"{{rs}}","uid":"{{rsUid}}"}],\
            "resourceVersion":"{{rv}}","uid":"{{uid}}"},"spec":{"containers":[{"env":[{"name":"LOG_LEVEL","value":"info"},\
            {"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},\
            {"name":"POD_NAMESPACE","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}}],\
            "image":"{{image}}","imagePullPolicy":"IfNotPresent","livenessProbe":{"failureThreshold":3,"httpGet":\
            {"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":10,"periodSeconds":10,\
            "successThreshold":1,"timeoutSeconds":1},"name":"app","ports":[{"containerPort":8080,"name":"http",\
            "protocol":"TCP"},{"containerPort":9090,"name":"metrics","protocol":"TCP"}],"readinessProbe":\
            {"failureThreshold":3,"httpGet":{"path":"/ready","port":"http","scheme":"HTTP"},"periodSeconds":5,\
            "successThreshold":1,"timeoutSeconds":1},"resources":{"limits":{"memory":"256Mi"},"requests":\
            {"cpu":"100m","memory":"128Mi"}},"securityContext":{"allowPrivilegeEscalation":false,"capabilities":\
            {"drop":["ALL"]},"readOnlyRootFilesystem":true,"runAsNonRoot":true},"terminationMessagePath":\
            "/dev/termination-log","terminationMessagePolicy":"File","volumeMounts":[{"mountPath":"/tmp","name":"tmp"},\
            {"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","name":"kube-api-access-{{suffix}}",\
            "readOnly":true}]}],"dnsPolicy":"ClusterFirst","enableServiceLinks":true,"nodeName":"{{node}}",\
            "preemptionPolicy":"PreemptLowerPriority","priority":0,"restartPolicy":"Always","schedulerName":\
            "default-scheduler","securityContext":{},"serviceAccount":"default","serviceAccountName":"default",\
            "terminationGracePeriodSeconds":30,"tolerations":[{"effect":"NoExecute","key":"node.kubernetes.io/not-ready",\
            "operator":"Exists","tolerationSeconds":300},{"effect":"NoExecute","key":"node.kubernetes.io/unreachable",\
            "operator":"Exists","tolerationSeconds":300}],"volumes":[{"emptyDir":{},"name":"tmp"},\
            {"name":"kube-api-access-{{suffix}}","projected":{"defaultMode":420,"sources":[{"serviceAccountToken":\
            {"expirationSeconds":3607,"path":"token"}},{"configMap":{"items":[{"key":"ca.crt","path":"ca.crt"}],\
            "name":"kube-root-ca.crt"}},{"downwardAPI":{"items":[{"fieldRef":{"apiVersion":"v1",\
            "fieldPath":"metadata.namespace"},"path":"namespace"}]}}]}}]},"status":{"conditions":[\
            {"lastProbeTime":null,"lastTransitionTime":"{{time}}","status":"True","type":"PodReadyToStartContainers"},\
            {"lastProbeTime":null,"lastTransitionTime":"{{time}}","status":"True","type":"Initialized"},\
            {"lastProbeTime":null,"lastTransitionTime":"{{time}}","status":"True","type":"Ready"},\
            {"lastProbeTime":null,"lastTransitionTime":"{{time}}","status":"True","type":"ContainersReady"},\
            {"lastProbeTime":null,"lastTransitionTime":"{{time}}","status":"True","type":"PodScheduled"}],\
            "containerStatuses":[{"containerID":"containerd://{{containerId}}","image":"{{image}}","imageID":\
            "{{imageId}}","lastState":{},"name":"app","ready":true,"restartCount":0,"started":true,"state":\
            {"running":{"startedAt":"{{time}}"}},"volumeMounts":[{"mountPath":"/tmp","name":"tmp"},\
            {"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","name":"kube-api-access-{{suffix}}",\
            "readOnly":true,"recursiveReadOnly":"Disabled"}]}],"hostIP":"{{hostIp}}","hostIPs":[{"ip":"{{hostIp}}"}],\
            "phase":"Running","podIP":"{{ip}}","podIPs":[{"ip":"{{ip}}"}],"qosClass":"Burstable","startTime":"{{time}}"}}""";
    /** The template cut at its placeholders: text, name, text, name, …, text. */
    private static final List<String> PARTS = cut(TEMPLATE);

    private RealisticPod() {
    }

    /** The pod with these values for the template's placeholders. */
    static String render(Map<String, String> values) {
        StringBuilder out = new StringBuilder(TEMPLATE.length() + 512);
        for (int i = 0; i < PARTS.size(); i++) {
            if (i % 2 == 0) {
                out.append(PARTS.get(i));
            } else {
                String v = values.get(PARTS.get(i));
                if (v == null) {
                    throw new IllegalArgumentException("no value for {{" + PARTS.get(i) + "}}");
                }
                out.append(v);
            }
        }
        return out.toString();
    }

    private static List<String> cut(String template) {
        List<String> parts = new ArrayList<>();
        int at = 0;
        while (true) {
            int open = template.indexOf("{{", at);
            if (open < 0) {
                parts.add(template.substring(at));
                return List.copyOf(parts);
            }
            int close = template.indexOf("}}", open);
            parts.add(template.substring(at, open));
            parts.add(template.substring(open + 2, close));
            at = close + 2;
        }
    }
}
