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

/* The simplified write API has no text chunks, so this one uses the full API: its errors longjmp
   back here and come out as a message. */
struct png_memory {
    uint8_t *data;
    size_t size, capacity;
    int failed;
};

static void png_memory_write(png_structp png, png_bytep bytes, png_size_t length) {
    struct png_memory *m = png_get_io_ptr(png);
    if (m->failed) return;
    if (m->size + length > m->capacity) {
        size_t cap = m->capacity ? m->capacity : 65536;
        while (cap < m->size + length) cap *= 2;
        uint8_t *grown = realloc(m->data, cap);
        if (!grown) { m->failed = 1; return; }
        m->data = grown;
        m->capacity = cap;
    }
    memcpy(m->data + m->size, bytes, length);
    m->size += length;
}

static void png_memory_flush(png_structp png) { (void)png; }

static void png_fail(png_structp png, png_const_charp msg) {
    char *message = png_get_error_ptr(png);
    snprintf(message, 200, "PNG encode: %s", msg);
    png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

static int is_ascii(const char *s) {
    for (; *s; s++) if ((unsigned char)*s >= 0x80) return 0;
    return 1;
}

int deft_png_encode_text(const uint8_t *rgb, int width, int height, const char *const *keys, const char *const *texts,
                         int count, uint8_t **out, size_t *out_size, char message[200]) {
    if (width <= 0 || height <= 0 || count < 0) { set_message(message, "PNG encode: no pixels"); return 1; }
    struct png_memory mem = {0};
    png_textp text = calloc(count > 0 ? (size_t)count : 1, sizeof *text);
    if (!text) { set_message(message, "out of memory"); return 1; }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, message, png_fail, png_warn);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, NULL);
        free(text);
        set_message(message, "out of memory");
        return 1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(text);
        free(mem.data);
        return 1;
    }
    png_set_write_fn(png, &mem, png_memory_write, png_memory_flush);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, 9);   /* figures are written once and kept: spend the time on size */
    for (int i = 0; i < count; i++) {
        text[i].key = (png_charp)keys[i];
        text[i].text = (png_charp)texts[i];
        text[i].compression = is_ascii(texts[i]) ? PNG_TEXT_COMPRESSION_NONE : PNG_ITXT_COMPRESSION_NONE;
    }
    if (count > 0) png_set_text(png, info, text, count);
    png_write_info(png, info);
    for (int y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(rgb + (size_t)y * (size_t)width * 3));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(text);
    if (mem.failed) { free(mem.data); set_message(message, "out of memory"); return 1; }
    *out = mem.data;
    *out_size = mem.size;
    return 0;
}
