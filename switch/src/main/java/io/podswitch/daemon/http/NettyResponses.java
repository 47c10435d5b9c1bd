package io.podswitch.daemon.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.podswitch.api.http.HttpResponse;
import java.util.Map;

/** The endpoint's response record as Netty's message; framing headers are set here, never by endpoints. */
final class NettyResponses {
    private NettyResponses() {
    }

    static FullHttpResponse toNetty(HttpResponse response, boolean keepAlive, boolean head) {
        HttpResponseStatus status = HttpResponseStatus.valueOf(response.status(), response.reason());
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.body()));
        for (Map.Entry<String, String> h : response.headers().entrySet()) {
            String name = h.getKey();
            if (name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("connection")
                    || name.equalsIgnoreCase("transfer-encoding")) {
                continue;
            }
            out.headers().set(name, h.getValue());
        }
        out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
        out.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return out;
    }
}
