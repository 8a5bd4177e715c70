// libpng's simplified API does its own longjmp; libjpeg reports fatal errors by longjmp, which Swift
// cannot do, so both live here behind setjmp and come out as an error code and a message.
#include "image_codec.h"
#include <png.h>
#include <stdio.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

static void set_message(char *dst, const char *msg) {
    snprintf(dst, 200, "%s", msg);
}

static int too_large(int w, int h, char *message) {
    if (w <= 0 || h <= 0) { set_message(message, "image has no pixels"); return 1; }
    if (w > DEFT_MAX_SIDE || h > DEFT_MAX_SIDE || (uint64_t)w * (uint64_t)h > DEFT_MAX_PIXELS) {
        snprintf(message, 200, "image is %dx%d, larger than deft decodes (%d px a side, %u Mpx)", w, h,
                 DEFT_MAX_SIDE, DEFT_MAX_PIXELS / (1024u * 1024u));
        return 1;
    }
    return 0;
}

int deft_png_decode(const uint8_t *data, size_t size, deft_image *out) {
    memset(out, 0, sizeof *out);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, data, size)) {
        snprintf(out->message, 200, "not a readable PNG: %s", img.message);
        return 1;
    }
    if (too_large((int)img.width, (int)img.height, out->message)) { png_image_free(&img); return 1; }
    img.format = PNG_FORMAT_RGB;   /* libpng composites alpha over black for an RGB target */
    size_t stride = PNG_IMAGE_ROW_STRIDE(img);
    uint8_t *buf = malloc(PNG_IMAGE_BUFFER_SIZE(img, stride));
    if (!buf) { png_image_free(&img); set_message(out->message, "out of memory"); return 1; }
    png_color background = {255, 255, 255};
    if (!png_image_finish_read(&img, &background, buf, 0, NULL)) {
        snprintf(out->message, 200, "corrupt PNG: %s", img.message);
        free(buf);
        png_image_free(&img);
        return 1;
    }
    out->width = (int)img.width;
    out->height = (int)img.height;
    out->pixels = buf;
    return 0;
}

struct jpeg_error_state {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    int warnings;
};

static void jpeg_fail(j_common_ptr cinfo) {
    struct jpeg_error_state *st = (struct jpeg_error_state *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, st->message);
    longjmp(st->jump, 1);
}

static void jpeg_note(j_common_ptr cinfo, int level) {
    struct jpeg_error_state *st = (struct jpeg_error_state *)cinfo->err;
    if (level < 0) {   /* a warning: libjpeg would pad truncated data with grey and carry on */
        if (st->warnings == 0) (*cinfo->err->format_message)(cinfo, st->message);
        st->warnings++;
    }
}

int deft_jpeg_decode(const uint8_t *data, size_t size, deft_image *out) {
    memset(out, 0, sizeof *out);
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_state err;
    memset(&err, 0, sizeof err);
    uint8_t *volatile buf = NULL;
    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_fail;
    err.mgr.emit_message = jpeg_note;
    if (setjmp(err.jump)) {
        snprintf(out->message, 200, "corrupt JPEG: %s", err.message);
        jpeg_destroy_decompress(&cinfo);
        free(buf);
        return 1;
    }
    if (size == 0) { set_message(out->message, "empty file"); return 1; }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    if (too_large((int)cinfo.image_width, (int)cinfo.image_height, out->message)) {
        jpeg_destroy_decompress(&cinfo);
        return 1;
    }
    /* libjpeg converts YCCK to CMYK but not CMYK to RGB: that is left to the application. */
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    int w = (int)cinfo.output_width, h = (int)cinfo.output_height;
    buf = malloc((size_t)w * (size_t)h * 3 + (cmyk ? (size_t)w : 0));   /* room for the last row's 4th channel */
    if (!buf) { jpeg_destroy_decompress(&cinfo); set_message(out->message, "out of memory"); return 1; }
    /* Photoshop (the Adobe marker) stores CMYK inverted, 255 = no ink; other writers store ink. */
    int inverted = cinfo.saw_Adobe_marker;
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = buf + (size_t)cinfo.output_scanline * (size_t)w * 3;
        jpeg_read_scanlines(&cinfo, &row, 1);
        if (cmyk) {   /* 4 bytes a pixel into 3, in place: pixel i reads at 4i and writes at 3i ≤ 4i */
            for (int i = 0; i < w; i++) {
                unsigned c = row[4 * i], m = row[4 * i + 1], y = row[4 * i + 2], k = row[4 * i + 3];
                if (!inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
                row[3 * i] = (uint8_t)((c * k + 127) / 255);
                row[3 * i + 1] = (uint8_t)((m * k + 127) / 255);
                row[3 * i + 2] = (uint8_t)((y * k + 127) / 255);
            }
        }
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    if (err.warnings > 0) {
        snprintf(out->message, 200, "damaged JPEG: %s", err.message);
        free(buf);
        return 1;
    }
    out->width = w;
    out->height = h;
    out->pixels = buf;
    return 0;
}

void deft_image_free(deft_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}

int deft_png_encode(const uint8_t *rgb, int width, int height, uint8_t **out, size_t *out_size, char message[200]) {
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)width;
    img.height = (png_uint_32)height;
    img.format = PNG_FORMAT_RGB;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&img, NULL, &size, 0, rgb, 0, NULL)) {
        snprintf(message, 200, "PNG encode: %s", img.message);
        return 1;
    }
    uint8_t *buf = malloc(size);
    if (!buf) { set_message(message, "out of memory"); return 1; }
    if (!png_image_write_to_memory(&img, buf, &size, 0, rgb, 0, NULL)) {
        snprintf(message, 200, "PNG encode: %s", img.message);
        free(buf);
        return 1;
    }
    *out = buf;
    *out_size = size;
    return 0;
}

int deft_jpeg_encode(const uint8_t *rgb, int width, int height, int quality, uint8_t **out, size_t *out_size, char message[200]) {
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_state err;
    memset(&err, 0, sizeof err);
    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_fail;
    unsigned char *volatile buf = NULL;
    unsigned long size = 0;
    if (setjmp(err.jump)) {
        snprintf(message, 200, "JPEG encode: %s", err.message);
        jpeg_destroy_compress(&cinfo);
        free(buf);
        return 1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buf, &size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)cinfo.next_scanline * (size_t)width * 3);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buf;
    *out_size = size;
    return 0;
}

void deft_buffer_free(uint8_t *buffer) { free(buffer); }
