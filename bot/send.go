package bot

import (
	"context"
	"errors"

	"github.com/bwmarrin/discordgo"
)

// This file is the one place where rendered [Message]s become discordgo
// requests. Every request that can carry a message sets allowed mentions
// to none: an empty parse list (not a nil one, which discordgo would send as
// null) and no replied-user ping.

// noMentions allows no mention of anyone: {"parse":[],"replied_user":false}.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

func embedsOf(m Message) []*discordgo.MessageEmbed {
	if m.Embeds == nil {
		return []*discordgo.MessageEmbed{}
	}
	return m.Embeds
}

func componentsOf(m Message) []discordgo.MessageComponent {
	if m.Components == nil {
		return []discordgo.MessageComponent{}
	}
	return m.Components
}

func flags(ephemeral bool) discordgo.MessageFlags {
	if ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// respond acknowledges an interaction with a message (type 4).
func (b *Bot) respond(ctx context.Context, i *discordgo.Interaction, m Message, ephemeral bool) error {
	return b.s.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content: m.Content, Embeds: embedsOf(m), Components: componentsOf(m),
			AllowedMentions: noMentions(), Flags: flags(ephemeral),
		},
	}, discordgo.WithContext(ctx))
}

// deferReply acknowledges an interaction with "thinking…" (type 5); the
// answer follows as an edit of the original response.
func (b *Bot) deferReply(ctx context.Context, i *discordgo.Interaction, ephemeral bool) error {
	return b.s.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{AllowedMentions: noMentions(), Flags: flags(ephemeral)},
	}, discordgo.WithContext(ctx))
}

// editOriginal replaces the original response with m.
func (b *Bot) editOriginal(ctx context.Context, i *discordgo.Interaction, m Message) error {
	content, embeds, comps := m.Content, embedsOf(m), componentsOf(m)
	_, err := b.s.InteractionResponseEdit(i, &discordgo.WebhookEdit{
		Content: &content, Embeds: &embeds, Components: &comps, AllowedMentions: noMentions(),
	}, discordgo.WithContext(ctx))
	return err
}

// followUp sends m as a follow-up message of an interaction.
func (b *Bot) followUp(ctx context.Context, i *discordgo.Interaction, m Message, ephemeral bool) error {
	_, err := b.s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{
		Content: m.Content, Embeds: m.Embeds, Components: componentsOf(m),
		AllowedMentions: noMentions(), Flags: flags(ephemeral),
	}, discordgo.WithContext(ctx))
	return err
}

// deliver shows msgs as the response of a deferred interaction: the first
// edits the original response, the rest follow up.
func (b *Bot) deliver(ctx context.Context, i *discordgo.Interaction, msgs []Message, ephemeral bool) error {
	var errs []error
	for n, m := range msgs {
		if n == 0 {
			errs = append(errs, b.editOriginal(ctx, i, m))
			continue
		}
		errs = append(errs, b.followUp(ctx, i, m, ephemeral))
	}
	return errors.Join(errs...)
}

// reply sends msgs to the channel of msg, the first as a reply to it (which
// does not ping its author); if msg was deleted meanwhile, the reply is
// sent without the reference.
func (b *Bot) reply(ctx context.Context, msg *discordgo.Message, msgs []Message) error {
	no := false
	var errs []error
	for n, m := range msgs {
		send := &discordgo.MessageSend{
			Content: m.Content, Embeds: embedsOf(m), Components: componentsOf(m),
			AllowedMentions: noMentions(), StickerIDs: []string{},
		}
		if n == 0 {
			send.Reference = &discordgo.MessageReference{MessageID: msg.ID, ChannelID: msg.ChannelID, GuildID: msg.GuildID, FailIfNotExists: &no}
		}
		_, err := b.s.ChannelMessageSendComplex(msg.ChannelID, send, discordgo.WithContext(ctx))
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
