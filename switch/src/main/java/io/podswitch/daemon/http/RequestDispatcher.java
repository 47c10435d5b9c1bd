package io.podswitch.daemon.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.daemon.DaemonLog;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Last in the pipeline: hands each complete request to the endpoint on a virtual thread and writes the
 * answer back on the event loop. One request at a time per connection — a pipelined follower waits in
 * order and reading pauses meanwhile — so answers never overtake each other and a client cannot queue
 * unbounded work.
 */
final class RequestDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final HttpEndpoint endpoint;
    private final ErrorBodies errors;
    private final Executor executor;
    private final ArrayDeque<HttpRequest> waiting = new ArrayDeque<>(2);
    private final ArrayDeque<Boolean> waitingKeepAlive = new ArrayDeque<>(2);
    private boolean busy;

    RequestDispatcher(HttpEndpoint endpoint, ErrorBodies errors, Executor executor) {
        this.endpoint = endpoint;
        this.errors = errors;
        this.executor = executor;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        ctx.pipeline().get(ConnectionGuard.class).requestComplete();
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : request.headers()) {
            headers.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + ", " + b);
        }
        HttpRequest framed = new HttpRequest(request.method().name(), request.uri(), headers,
                ByteBufUtil.getBytes(request.content()));
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (busy) {
            waiting.add(framed);
            waitingKeepAlive.add(keepAlive);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        dispatch(ctx, framed, keepAlive);
    }

    private void dispatch(ChannelHandlerContext ctx, HttpRequest request, boolean keepAlive) {
        busy = true;
        boolean head = request.method().equals(HttpMethod.HEAD.name());
        try {
            executor.execute(() -> {
                HttpResponse response;
                try {
                    response = endpoint.handle(request);
                } catch (RuntimeException | Error e) {
                    DaemonLog.warn("HTTP " + request.method() + " " + request.target() + " failed", e);
                    response = errors.error(500, String.valueOf(e));
                }
                HttpResponse answer = response;
                ctx.executor().execute(() -> respond(ctx, answer, keepAlive, head));
            });
        } catch (RejectedExecutionException e) {
            respond(ctx, errors.error(503, "podswitchd is shutting down"), false, head);
        }
    }

    private void respond(ChannelHandlerContext ctx, HttpResponse response, boolean keepAlive, boolean head) {
        ChannelFuture written = ctx.writeAndFlush(NettyResponses.toNetty(response, keepAlive, head));
        busy = false;
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.pipeline().get(ConnectionGuard.class).responseSent(ctx);
        HttpRequest next = waiting.poll();
        if (next != null) {
            ctx.pipeline().get(ConnectionGuard.class).requestComplete();
            dispatch(ctx, next, waitingKeepAlive.poll());
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset connection or an I/O error: nothing to answer, nothing to keep.
        ctx.close();
    }
}
