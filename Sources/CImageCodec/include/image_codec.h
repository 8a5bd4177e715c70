#ifndef DEFT_IMAGE_CODEC_H
#define DEFT_IMAGE_CODEC_H
#include <stddef.h>
#include <stdint.h>

/// Decoded 8-bit RGB pixels (a PNG's alpha is composited over white).
typedef struct {
    int width;
    int height;
    uint8_t *pixels;      /* width * height * 3, malloc'd; free with deft_image_free */
    char message[200];    /* set when a call returns non-zero */
} deft_image;

/// Largest side and pixel count we agree to decode: refuse before allocating.
#define DEFT_MAX_SIDE 16384
#define DEFT_MAX_PIXELS (64u * 1024u * 1024u)

/// Decode PNG bytes. Returns 0 on success.
int deft_png_decode(const uint8_t *data, size_t size, deft_image *out);
/// Decode JPEG bytes; libjpeg warnings (e.g. premature end of data) count as errors. Returns 0 on success.
int deft_jpeg_decode(const uint8_t *data, size_t size, deft_image *out);
void deft_image_free(deft_image *image);

/// Encoders to memory (for tests and for writing snapshots). The buffer is malloc'd; free with deft_buffer_free.
int deft_png_encode(const uint8_t *rgb, int width, int height, uint8_t **out, size_t *out_size, char message[200]);
int deft_jpeg_encode(const uint8_t *rgb, int width, int height, int quality, uint8_t **out, size_t *out_size, char message[200]);
/// PNG with text chunks (keys and texts are NUL-terminated UTF-8): an all-ASCII text goes into a tEXt
/// chunk, any other into an uncompressed iTXt (tEXt is Latin-1 only). Keys must be 1–79 ASCII bytes.
int deft_png_encode_text(const uint8_t *rgb, int width, int height, const char *const *keys, const char *const *texts,
                         int count, uint8_t **out, size_t *out_size, char message[200]);
void deft_buffer_free(uint8_t *buffer);
#endif
