// C shim for BastionXML: the parts of libxml2 that Swift 6 cannot call directly.
//
// libxml2 exposes some of its API as global function pointers (xmlFree) and as
// macros over per-thread global state (xmlStructuredError); Swift imports
// neither as callable functions. Everything here is `static inline`, so this
// system-library target needs no compiled C sources.
#ifndef BASTION_CLIBXML2_SHIM_H
#define BASTION_CLIBXML2_SHIM_H

// libxml2 built with ICU includes ICU's headers from encoding.h; their types
// clash in Clang's module checks with the ICU copy that Foundation carries
// (`UErrorCode` has different definitions in different modules). BastionXML
// never touches the ICU parts of libxml2 (they only add private fields to the
// encoding handler, which is used by pointer), so leave them out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlmemory.h>
#include <libxml/xmlschemas.h>
#include <libxml/globals.h>

/// Frees memory that libxml2 allocated (xmlFree is a function pointer).
static inline void bastion_xmlFree(void *ptr) {
    xmlFree(ptr);
}

/// The `_private` field of the parser context passed to SAX callbacks as `ctx`.
static inline void *bastion_ctxt_private(void *ctx) {
    return ((xmlParserCtxtPtr)ctx)->_private;
}

/// Whether the parser context has seen the document as well-formed so far.
static inline int bastion_ctxt_well_formed(xmlParserCtxtPtr ctxt) {
    return ctxt->wellFormed;
}

/// Offset in the document's bytes of the parser's current position, or -1
/// when it does not map to the bytes given (inside an entity, or after an
/// encoding conversion).
static inline long bastion_ctxt_input_offset(xmlParserCtxtPtr ctxt) {
    xmlParserInputPtr input = ctxt->input;
    if (ctxt->inputNr != 1 || input == NULL || input->base == NULL || input->cur == NULL) {
        return -1;
    }
    if (input->buf != NULL && input->buf->encoder != NULL) {
        return -1;
    }
    return (long)(input->consumed + (unsigned long)(input->cur - input->base));
}

/// The last `byte` in the `length` bytes at `bytes`, or NULL (memrchr where
/// the C library has it; a GNU extension its headers hide by default).
#if defined(__GLIBC__)
extern void *memrchr(const void *s, int c, size_t n);
#endif
static inline const unsigned char *bastion_last_byte(const unsigned char *bytes, unsigned char byte, size_t length) {
#if defined(__GLIBC__)
    return (const unsigned char *)memrchr(bytes, byte, length);
#else
    while (length > 0) {
        length--;
        if (bytes[length] == byte) return bytes + length;
    }
    return NULL;
#endif
}

/// XML_SAX2_MAGIC, the marker of a SAX2 handler (a macro too large for Int32).
static inline unsigned int bastion_sax2_magic(void) {
    return XML_SAX2_MAGIC;
}

/// The calling thread's structured error handler (a macro over global state).
static inline xmlStructuredErrorFunc bastion_structured_error_func(void) {
    return xmlStructuredError;
}

/// The calling thread's structured error handler context.
static inline void *bastion_structured_error_context(void) {
    return xmlStructuredErrorContext;
}

#endif
