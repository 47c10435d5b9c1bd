package io.podswitch.daemon.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Between the HTTP decoder and the aggregator: refuses what the decoder could not frame or what this
 * daemon does not take, before any body is buffered — 400 malformed, 414 request line too long, 431
 * headers too large or too many, 411 a POST/PUT/PATCH with neither Content-Length nor chunked framing,
 * 505 an HTTP version other than 1.x. The answer closes the connection; whatever else the client sends
 * on it is dropped unread.
 */
final class RequestHeadCheck extends ChannelInboundHandlerAdapter {
    private final ListenerSettings settings;
    private final ErrorBodies errors;
    private boolean refused;

    RequestHeadCheck(ListenerSettings settings, ErrorBodies errors) {
        this.settings = settings;
        this.errors = errors;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        int status = 0;
        String why = null;
        DecoderResult result = msg instanceof HttpRequest r ? r.decoderResult()
                : msg instanceof HttpContent c ? c.decoderResult() : DecoderResult.SUCCESS;
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                status = 414;
                why = "request line longer than allowed";
            } else if (cause instanceof TooLongHttpHeaderException) {
                status = 431;
                why = "headers larger than " + settings.limits().maxHeadBytes() + " bytes";
            } else if (cause instanceof TooLongFrameException) {
                status = 413;
                why = String.valueOf(cause.getMessage());
            } else {
                status = 400;
                why = "malformed HTTP request: " + cause.getMessage();
            }
        } else if (msg instanceof HttpRequest request) {
            if (request.protocolVersion().majorVersion() != 1) {
                status = 505;
                why = "HTTP version not supported: " + request.protocolVersion();
            } else if (request.headers().size() > settings.limits().maxHeaderCount()) {
                status = 431;
                why = "more than " + settings.limits().maxHeaderCount() + " header lines";
            } else if (needsBody(request.method()) && !HttpUtil.isContentLengthSet(request)
                    && !HttpUtil.isTransferEncodingChunked(request)) {
                status = 411;
                why = request.method() + " without Content-Length";
            }
        }
        if (status == 0) {
            ctx.fireChannelRead(msg);
            return;
        }
        ReferenceCountUtil.release(msg);
        refused = true;
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(NettyResponses.toNetty(errors.error(status, why), false, false))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private static boolean needsBody(HttpMethod method) {
        return method.equals(HttpMethod.POST) || method.equals(HttpMethod.PUT) || method.equals(HttpMethod.PATCH);
    }
}
