/*
 * gw_msg.c - decodes client WebSocket messages into subscribe/unsubscribe decisions.
 *
 * Theory of operation. A client message is one JSON object with a string "op" from a small table
 * and a string "id" that passes queue_id_valid(); every other shape is an error with a code the
 * client can act on. cJSON parses with an explicit length (the text is not NUL-terminated), and
 * wslay has already capped the length at GW_MSG_MAX and checked UTF-8.
 */
#include "gw_msg.h"

#include "gv.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    enum gw_msg_op op;
} ops[] = {
    {"subscribe", GW_MSG_SUBSCRIBE},
    {"unsubscribe", GW_MSG_UNSUBSCRIBE},
};

static enum gw_msg_op invalid(struct gw_msg *msg, const char *code, const char *message)
{
    msg->op = GW_MSG_INVALID;
    msg->error_code = code;
    msg->error_message = message;
    return msg->op;
}

static enum gw_msg_op op_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0)
            return ops[i].op;
    return GW_MSG_INVALID;
}

static enum gw_msg_op decode(const cJSON *root, struct gw_msg *msg)
{
    if (!cJSON_IsObject(root))
        return invalid(msg, "bad_json", "a message is one JSON object");
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(root, "op");
    if (!cJSON_IsString(op))
        return invalid(msg, "bad_op", "\"op\" must be a string");
    enum gw_msg_op kind = op_lookup(op->valuestring);
    if (kind == GW_MSG_INVALID)
        return invalid(msg, "bad_op", "\"op\" must be subscribe or unsubscribe");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
    if (!cJSON_IsString(id) || !queue_id_valid(id->valuestring))
        return invalid(msg, "bad_id", "\"id\" must be a submission id");
    gv_strlcpy(msg->id, id->valuestring, sizeof msg->id);
    msg->op = kind;
    return kind;
}

enum gw_msg_op gw_msg_parse(const char *text, size_t len, struct gw_msg *msg)
{
    memset(msg, 0, sizeof *msg);
    if (len > GW_MSG_MAX)
        return invalid(msg, "too_big", "message too long");
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root)
        return invalid(msg, "bad_json", "not JSON");
    enum gw_msg_op kind = decode(root, msg);
    cJSON_Delete(root);
    return kind;
}

int gw_msg_error_json(const struct gw_msg *msg, const char *code, const char *message, char *buf,
                      size_t size)
{
    if (msg) {
        code = msg->error_code;
        message = msg->error_message;
    }
    int n = snprintf(buf, size, "{\"type\":\"error\",\"code\":\"%s\",\"message\":\"%s\"}",
                     code ? code : "error", message ? message : "");
    return n < 0 || (size_t)n >= size ? -1 : n;
}
