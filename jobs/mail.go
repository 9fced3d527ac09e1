package jobs

import (
	"context"
	"time"

	"github.com/partnerkit/partnerkit/mail"
	"github.com/riverqueue/river"
)

// KindMailSend is the job kind of one send of a mail message.
const KindMailSend = "partnerkit.mail_send"

var _ mail.Scheduler = (*Engine)(nil)

// ScheduleSend implements mail.Scheduler: the job is inserted in the
// transaction ctx carries (the one that queues the message or records its
// failed attempt), due at job.At. A job due now is available at once
// (River moves scheduled jobs to available every few seconds only).
func (e *Engine) ScheduleSend(ctx context.Context, job mail.SendJob) error {
	opts := &river.InsertOpts{Queue: Queue}
	if job.At.After(time.Now()) {
		opts.ScheduledAt = job.At
	}
	return e.insert(ctx, MailSendArgs{SendJob: job}, opts)
}

// MailSendArgs is the job of one send of a mail message.
type MailSendArgs struct {
	mail.SendJob
}

// Kind implements river.JobArgs.
func (MailSendArgs) Kind() string { return KindMailSend }

type mailSendWorker struct {
	river.WorkerDefaults[MailSendArgs]
	engine *Engine
}

// Work runs the send; the mail service schedules the retries of a failed
// send itself, so River retries only a send whose outcome was not stored.
func (w *mailSendWorker) Work(ctx context.Context, job *river.Job[MailSendArgs]) error {
	svc, err := w.engine.svc()
	if err != nil {
		return err
	}
	if svc.Mail == nil {
		return nil
	}
	return svc.Mail.Send(ctx, job.Args.SendJob)
}

// Timeout bounds a send: the service's own limit and time to record it.
func (w *mailSendWorker) Timeout(*river.Job[MailSendArgs]) time.Duration {
	return mail.SendTimeout + 30*time.Second
}
