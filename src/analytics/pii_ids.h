/*
 * pii_ids — the validators and context tests behind pii_scan: check digits
 * (My Number, Luhn), card issuer ranges, Japanese phone layouts, the labels that
 * announce a phone number and the words that make a postal code an address.
 * Pure functions over bounded inputs; digits are passed as values 0..9.
 */
#ifndef MAMORI_ANALYTICS_PII_IDS_H
#define MAMORI_ANALYTICS_PII_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* d[0..11]: the check digit d[11] agrees with d[0..10]. */
bool pii_ids_mynumber(const uint8_t *d);

/* The Luhn check over n digits. */
bool pii_ids_luhn(const uint8_t *d, size_t n);

/* n digits start with an issuer's range (Visa, Mastercard, Amex, JCB, Diners,
 * Discover, UnionPay) whose numbers have that length. */
bool pii_ids_card_issuer(const uint8_t *d, size_t n);

/*
 * A Japanese phone number in national form (leading 0): n digits in ng groups of
 * glen[] digits (ng 1: written without separators). 11 digits: 050/070/080/090,
 * grouped 3-4-4; 10 digits: a landline, grouped 2-4-4, 3-3-4 or 4-2-4.
 */
bool pii_ids_phone(const uint8_t *d, size_t n, const uint8_t *glen, size_t ng);

/* The bytes just before w[start] (spaces, ':' and '=' skipped) end in a phone
 * label: TEL, phone, 電話, 電話番号, 携帯 (ASCII case-insensitive). */
bool pii_ids_phone_label(const uint8_t *w, size_t start);

/* w[from..to) holds address context: 〒, 住所, "address", or a prefecture's name
 * in kanji (北海道 ... 沖縄県) or romaji (Hokkaido ... Okinawa, as a word). */
bool pii_ids_address_context(const uint8_t *w, size_t from, size_t to);

#endif
